import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startConferProcess } from '../test/support/confer-process';
import { freePort } from '../test/support/free-port';
import { CHAT_LOAD_BUDGETS, conferTarget, runChatLoad } from './chat-load';
import { pinnedCpus, pinProcess } from './pin-cpus';
import { histogramBetween, histogramBuckets, type WriteBuckets } from './round-context';
import { percentile, round } from './stats';
import { threadCpu } from './thread-cpu';

/**
 * `npx tsx bench/chat-timeline.ts [--rounds 3] [--rate 4000] [--meetings 1000] [--json FILE] [--pin-tester]`:
 * the chat load of `npm run bench` against one Confer process, cut into windows of about a
 * quarter-second (from one scrape of /metrics to the next). For each window: the acknowledgements
 * of the chats sent in it (p50 / p99 / max); the server's longest event-loop delay, its GC time,
 * its full collections and its old space's size; the CPU of its event loop and of its busiest
 * other threads; the tester's own CPU and event-loop delay; the machine's CPU and I/O pressure
 * (/proc/pressure) and how busy its CPUs were, in all and in the kernel (/proc/stat); the
 * store's writer: its batches, the slowest batch's write and
 * the longest wait for a batch to start (bucket bounds); and the command handler's p99 (command to
 * durable append, bucket bound), which holds the wait in the meeting's lane.
 *
 * Not part of `npm run bench`: a tool for finding where a slow round's tail comes from (a stalled
 * store, a starved event loop, a busy tester, a machine busy with something else), which a
 * round's percentiles alone cannot tell. `--pin-tester`: the tester on CPU 0, the server on the
 * others (bench/pin-cpus.ts), as `npm run bench -- --chat-pin-tester`.
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
/** The machine's CPU ticks from /proc/stat: all, idle (with iowait), and system + interrupts. */
const machineTicks = () => {
  const t = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  // user nice system idle iowait irq softirq steal
  return { all: t.reduce((a, b) => a + b, 0), idle: t[3]! + t[4]!, kernel: t[2]! + t[5]! + t[6]! };
};
const pressure = (resource: 'cpu' | 'io'): number =>
  Number(/some .* total=(\d+)/.exec(readFileSync(`/proc/pressure/${resource}`, 'utf8'))?.[1] ?? 0);

interface Sample {
  /** The window: from the previous scrape to this one, ms into the sending phase. */
  fromMs: number;
  atMs: number;
  serverLagMaxMs: number;
  serverGcMs: number;
  /** Full (mark-compact) collections that ended in the window, and the old space's size after it, MB. */
  serverMajorGcs: number;
  serverOldMb: number;
  mainPct: number;
  /**
   * The three busiest other threads, each as `%#n`: n is its thread id less the process id, which
   * stays the same through a run and tells threads apart (all are named "node"): V8's helpers and
   * libuv's pool come first, worker threads (the store's writer, the read models) later.
   */
  otherThreadsPct: string[];
  testerPct: number;
  testerLagMaxMs: number;
  cpuPressurePct: number;
  ioPressurePct: number;
  /** Of all the machine's CPUs: busy, and busy in the kernel (system, interrupts), %. */
  machineBusyPct: number;
  machineKernelPct: number;
  batches: number;
  writeMaxMs: number;
  queueMaxMs: number;
  commandP99Ms: number;
}

/** The histograms a quarter-second reads, as of one scrape. */
const histograms = (text: string) => ({
  write: histogramBuckets(text, 'confer_event_store_write_seconds'),
  queue: histogramBuckets(text, 'confer_event_store_queue_seconds'),
  command: histogramBuckets(text, 'confer_command_duration_seconds'),
});
const between = (a: WriteBuckets, b: WriteBuckets, q: number) => histogramBetween(a, b, q);

const testerLag = monitorEventLoopDelay({ resolution: 1 });
testerLag.enable();
/** A quarter-second of sending: its sample, and the acknowledgements of the chats sent in it. */
type QuarterSecond = Sample & { acks: number; ackP50Ms: number; ackP99Ms: number; ackMaxMs: number };
const report: { round: number; p50: number; p99: number; windows: QuarterSecond[] }[] = [];

for (let r = 1; r <= rounds; r++) {
  const samples: Sample[] = [];
  /** Each acknowledgement: when its chat was sent (ms into the sending phase), and its latency. */
  const acks: { sentAtMs: number; latencyMs: number }[] = [];
  let sampling = false;
  let startedAt = 0;
  let sampler = Promise.resolve();
  const sample = async () => {
    const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    let before = { threads: threadCpu(pid), at: performance.now(), cpu: process.cpuUsage() };
    let pressures = { cpu: pressure('cpu'), io: pressure('io') };
    let ticks = machineTicks();
    const first = await scrape();
    let gc = metric(first, 'nodejs_gc_duration_seconds_sum');
    let majors = metric(first, 'nodejs_gc_duration_seconds_count', 'kind="major"');
    let hist = histograms(first);
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
      const nowHist = histograms(text);
      const writes = between(hist.write, nowHist.write, 1);
      samples.push({
        fromMs: samples.length === 0 ? 0 : before.at - startedAt,
        atMs: Math.round(now.at - startedAt),
        serverLagMaxMs: Math.round(metric(text, 'nodejs_eventloop_lag_max_seconds') * 1000),
        serverGcMs: Math.round((nowGc - gc) * 1000),
        serverMajorGcs: metric(text, 'nodejs_gc_duration_seconds_count', 'kind="major"') - majors,
        serverOldMb: Math.round(metric(text, 'nodejs_heap_space_size_used_bytes', 'space="old"') / 1e6),
        mainPct: pct(used.find(([tid]) => tid === pid)?.[1] ?? 0),
        otherThreadsPct: used
          .filter(([tid]) => tid !== pid)
          .map(([tid, s]) => [pct(s), tid - pid] as const)
          .sort((a, b) => b[0] - a[0])
          .slice(0, 3)
          .map(([p, n]) => `${p}#${n}`),
        testerPct: pct((tester.user + tester.system) / 1e6),
        testerLagMaxMs: Math.round(testerLag.max / 1e6),
        cpuPressurePct: Math.round((nowPressures.cpu - pressures.cpu) / 1e4 / seconds),
        ioPressurePct: Math.round((nowPressures.io - pressures.io) / 1e4 / seconds),
        ...(() => {
          const t = machineTicks();
          const all = Math.max(1, t.all - ticks.all);
          const busy = all - (t.idle - ticks.idle);
          const kernel = t.kernel - ticks.kernel;
          ticks = t;
          return {
            machineBusyPct: Math.round((100 * busy) / all),
            machineKernelPct: Math.round((100 * kernel) / all),
          };
        })(),
        batches: writes.count,
        writeMaxMs: writes.atMostMs,
        queueMaxMs: between(hist.queue, nowHist.queue, 1).atMostMs,
        commandP99Ms: between(hist.command, nowHist.command, 0.99).atMostMs,
      });
      hist = nowHist;
      testerLag.reset();
      before = now;
      pressures = nowPressures;
      gc = nowGc;
      majors = metric(text, 'nodejs_gc_duration_seconds_count', 'kind="major"');
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
    onAck: (sentAtMs, latencyMs) => acks.push({ sentAtMs, latencyMs }),
  });
  await sampler;
  // A window's chats are those sent between its two scrapes (a window lasts the 250 ms wait plus
  // the scrape, so they drift from fixed quarter-seconds: bucketing by 250 ms would set chats
  // beside the server's figures of a later window).
  const windows = samples.map((s): QuarterSecond => {
    const sorted = acks
      .filter((a) => a.sentAtMs >= s.fromMs && a.sentAtMs < s.atMs)
      .map((a) => a.latencyMs)
      .sort((a, b) => a - b);
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
      '| ms | acks | ack p50 | ack p99 | ack max | server lag max | server GC ms | major GCs | old space MB | main % | other threads % | tester % | tester lag max | CPU pressure % | IO pressure % | machine busy % | kernel % | batches | write max ≤ ms | queued max ≤ ms | command p99 ≤ ms |\n' +
      `|${' --- |'.repeat(21)}\n`,
  );
  for (const w of windows)
    process.stdout.write(
      `| ${w.atMs} | ${w.acks} | ${w.ackP50Ms} | ${w.ackP99Ms} | ${w.ackMaxMs} | ${w.serverLagMaxMs} | ${w.serverGcMs} | ${w.serverMajorGcs} | ${w.serverOldMb} | ${w.mainPct} | ${w.otherThreadsPct.join(' / ')} | ${w.testerPct} | ${w.testerLagMaxMs} | ${w.cpuPressurePct} | ${w.ioPressurePct} | ${w.machineBusyPct} | ${w.machineKernelPct} | ${w.batches} | ${w.writeMaxMs} | ${w.queueMaxMs} | ${w.commandP99Ms} |\n`,
    );
  // The sockets of the round leave and their grace periods end before the next one starts.
  if (r < rounds) await new Promise((resolve) => setTimeout(resolve, 15_000));
}
await confer.dispose();
if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2));
