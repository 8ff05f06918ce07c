import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startConferProcess } from '../test/support/confer-process';
import { freePort } from '../test/support/free-port';
import { CHAT_LOAD_BUDGETS, conferTarget, runChatLoad } from './chat-load';
import { pinnedCpus, pinProcess } from './pin-cpus';
import { percentile, round } from './stats';
import { threadCpu } from './thread-cpu';

/**
 * `npx tsx bench/chat-timeline.ts [--rounds 3] [--rate 4000] [--meetings 1000] [--json FILE] [--pin-tester]`:
 * the chat load of `npm run bench` against one Confer process, cut into quarter-seconds. For each
 * quarter-second of sending: the acknowledgements of the chats sent in it (p50 / p99 / max), the
 * server's longest event-loop delay and GC time (its /metrics), the CPU of its event loop and of
 * its busiest other threads, the tester's own CPU and event-loop delay, and the machine's CPU and
 * I/O pressure (/proc/pressure). Not part of `npm run bench`: a tool for finding where a slow
 * round's tail comes from (a stalled store, a starved event loop, a busy tester), which a round's
 * percentiles alone cannot tell. `--pin-tester`: the tester on CPU 0, the server on the others
 * (bench/pin-cpus.ts), as `npm run bench -- --chat-pin-tester`.
 */
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    rate: { type: 'string', default: '4000' },
    meetings: { type: 'string', default: '1000' },
    json: { type: 'string' },
    'pin-tester': { type: 'boolean', default: false },
  },
});
const positive = (name: string, value: string | undefined): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: a positive whole number, not "${value}"`);
  return n;
};
const rounds = positive('rounds', values.rounds);
const rate = positive('rate', values.rate);
const meetings = positive('meetings', values.meetings);
const WINDOW_MS = 250;

const metricsPort = await freePort();
const confer = await startConferProcess({
  ...CHAT_LOAD_BUDGETS,
  LOG_LEVEL: 'warn',
  METRICS_PORT: String(metricsPort),
});
const pid = confer.process.pid!;
if (values['pin-tester']) {
  const cpus = pinnedCpus();
  pinProcess(pid, cpus.servers);
  pinProcess(process.pid, cpus.tester);
  process.stdout.write(`the tester on CPU ${cpus.tester}, the server on CPU ${cpus.servers}\n`);
}

/** Sum of a metric's samples (all label sets, or those whose labels include `label`). */
const metric = (text: string, name: string, label = ''): number => {
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(name) && line.includes(label)) sum += Number(line.split(' ').at(-1));
  return sum;
};
/** Total µs some task waited, from /proc/pressure/<resource> (the "some" line). */
const pressure = (resource: 'cpu' | 'io'): number =>
  Number(/some .* total=(\d+)/.exec(readFileSync(`/proc/pressure/${resource}`, 'utf8'))?.[1] ?? 0);

interface Sample {
  atMs: number;
  serverLagMaxMs: number;
  serverGcMs: number;
  mainPct: number;
  otherThreadsPct: number[];
  testerPct: number;
  testerLagMaxMs: number;
  cpuPressurePct: number;
  ioPressurePct: number;
}

const testerLag = monitorEventLoopDelay({ resolution: 1 });
testerLag.enable();
/** A quarter-second of sending: its sample, and the acknowledgements of the chats sent in it. */
type QuarterSecond = Sample & { acks: number; ackP50Ms: number; ackP99Ms: number; ackMaxMs: number };
const report: { round: number; p50: number; p99: number; windows: QuarterSecond[] }[] = [];

for (let r = 1; r <= rounds; r++) {
  const samples: Sample[] = [];
  const acks: number[][] = [];
  let sampling = false;
  let startedAt = 0;
  let sampler = Promise.resolve();
  const sample = async () => {
    const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    let before = { threads: threadCpu(pid), at: performance.now(), cpu: process.cpuUsage() };
    let pressures = { cpu: pressure('cpu'), io: pressure('io') };
    let gc = metric(await scrape(), 'nodejs_gc_duration_seconds_sum');
    testerLag.reset();
    while (sampling) {
      await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
      const text = await scrape();
      const now = { threads: threadCpu(pid), at: performance.now(), cpu: process.cpuUsage() };
      const seconds = (now.at - before.at) / 1000;
      const pct = (cpuSeconds: number) => Math.round((100 * cpuSeconds) / seconds);
      const used = [...now.threads].map(([tid, s]) => [tid, s - (before.threads.get(tid) ?? 0)] as const);
      const tester = process.cpuUsage(before.cpu);
      const nowPressures = { cpu: pressure('cpu'), io: pressure('io') };
      const nowGc = metric(text, 'nodejs_gc_duration_seconds_sum');
      samples.push({
        atMs: Math.round(now.at - startedAt),
        serverLagMaxMs: Math.round(metric(text, 'nodejs_eventloop_lag_max_seconds') * 1000),
        serverGcMs: Math.round((nowGc - gc) * 1000),
        mainPct: pct(used.find(([tid]) => tid === pid)?.[1] ?? 0),
        otherThreadsPct: used
          .filter(([tid]) => tid !== pid)
          .map(([, s]) => pct(s))
          .sort((a, b) => b - a)
          .slice(0, 3),
        testerPct: pct((tester.user + tester.system) / 1e6),
        testerLagMaxMs: Math.round(testerLag.max / 1e6),
        cpuPressurePct: Math.round((nowPressures.cpu - pressures.cpu) / 1e4 / seconds),
        ioPressurePct: Math.round((nowPressures.io - pressures.io) / 1e4 / seconds),
      });
      testerLag.reset();
      before = now;
      pressures = nowPressures;
      gc = nowGc;
    }
  };
  const result = await runChatLoad(conferTarget(confer.url), {
    meetings,
    participants: 5,
    ratePerSecond: rate,
    durationMs: 10_000,
    onProgress: (line) => process.stderr.write(`${line}\n`),
    onSendStart: () => {
      sampling = true;
      startedAt = performance.now();
      sampler = sample();
    },
    onSendPhase: () => {
      sampling = false;
    },
    onAck: (sentAtMs, latencyMs) => (acks[Math.floor(sentAtMs / WINDOW_MS)] ??= []).push(latencyMs),
  });
  await sampler;
  const windows = samples.map((s, i): QuarterSecond => {
    const sorted = [...(acks[i] ?? [])].sort((a, b) => a - b);
    return {
      ...s,
      acks: sorted.length,
      ackP50Ms: round(percentile(sorted, 50)),
      ackP99Ms: round(percentile(sorted, 99)),
      ackMaxMs: round(sorted.at(-1) ?? Number.NaN),
    };
  });
  report.push({ round: r, p50: round(result.latencyMs.p50), p99: round(result.latencyMs.p99), windows });
  process.stdout.write(
    `\nround ${r}: ${meetings} × 5 @ ${rate}/s, delivery p50 ${round(result.latencyMs.p50)} ms, p99 ${round(result.latencyMs.p99)} ms\n` +
      '| ms | acks | ack p50 | ack p99 | ack max | server lag max | server GC ms | main % | other threads % | tester % | tester lag max | CPU pressure % | IO pressure % |\n' +
      `|${' --- |'.repeat(13)}\n`,
  );
  for (const w of windows)
    process.stdout.write(
      `| ${w.atMs} | ${w.acks} | ${w.ackP50Ms} | ${w.ackP99Ms} | ${w.ackMaxMs} | ${w.serverLagMaxMs} | ${w.serverGcMs} | ${w.mainPct} | ${w.otherThreadsPct.join(' / ')} | ${w.testerPct} | ${w.testerLagMaxMs} | ${w.cpuPressurePct} | ${w.ioPressurePct} |\n`,
    );
  // The sockets of the round leave and their grace periods end before the next one starts.
  if (r < rounds) await new Promise((resolve) => setTimeout(resolve, 15_000));
}
await confer.dispose();
if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2));
