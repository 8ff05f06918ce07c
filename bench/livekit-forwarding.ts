import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type * as Mediasoup from 'mediasoup';
import { z } from 'zod';
import { cpuSeconds } from '../media/testing/synthetic-rtp';
import { freePorts } from '../test/support/free-port';
import { benchBareLike, rssBytes, type ForwardingRow } from './forwarding';
import { round } from './stats';

/**
 * LiveKit forwarding the same kind of stream on the same machine in the same run, the baseline
 * issue 16's "1.2× LiveKit per core" is judged against: livekit-server (built by
 * bench/livekit/build.sh) with one publisher of synthetic 720p VP8 (~1.1 Mbit/s) and Opus-sized
 * audio, and N pion subscribers that count packets without decoding them, as `lk load-test`
 * runs (bench/livekit/tester). The server's CPU over the tester's window is divided by the
 * packets the subscribers received. Beside it, Confer's bare worker forwarding the same packet
 * rate and size to N subscribers with the SRTP suite LiveKit's subscribers negotiate.
 */
export interface LiveKitForwardingOptions {
  subscriberCounts: number[];
  seconds: number;
  bareSeconds: number;
  onProgress(line: string): void;
}

export interface LiveKitRow {
  subscribers: number;
  joined: number;
  packetsPerSecond: number;
  kbpsReceived: number;
  serverCpuPct: number;
  usPerPacket: number;
  packetsPerCoreSec: number;
  rssKiBPerSubscriber: number;
  testerCpuPct: number;
  loadAverage: number;
}

export type LiveKitForwardingResult =
  { unavailable: string } | { version: string; rows: { livekit: LiveKitRow; bare: ForwardingRow | null }[] };

/** What LiveKit's Go SDK offers first (its DTLS setup): the bare worker's subscribers use the same. */
const LIVEKIT_SRTP_SUITE = 'AEAD_AES_128_GCM' as const;
const KEY = 'conferbench';
const SECRET = 'confer-bench-secret-confer-bench-secret-0123';

const TesterOutput = z.object({
  subscribersJoined: z.number(),
  subscribersFailed: z.number(),
  seconds: z.number(),
  packetsPerSecond: z.number(),
  kbpsReceived: z.number(),
});

const rssKiB = (pid: number): number => rssBytes(pid) / 1024;

/** Builds (or finds in the cache) livekit-server and the tester; the reason when it cannot. */
export function buildLiveKit(repoRoot: string): { dir: string } | { unavailable: string } {
  const build = spawnSync('bash', [join(repoRoot, 'bench/livekit/build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (build.status === 3) return { unavailable: 'Go is not installed (bench/livekit/build.sh)' };
  if (build.status !== 0) return { unavailable: `bench/livekit/build.sh failed (exit ${build.status})` };
  return { dir: build.stdout.trim().split('\n').at(-1)! };
}

async function startLiveKit(dir: string): Promise<{ process: ChildProcess; url: string; pid: number }> {
  const [port, udpPort, tcpPort] = await freePorts(3);
  const config = [
    `port: ${port}`,
    'bind_addresses: ["127.0.0.1"]',
    'rtc:',
    `  udp_port: ${udpPort}`,
    `  tcp_port: ${tcpPort}`,
    '  use_external_ip: false',
    'keys:',
    `  ${KEY}: ${SECRET}`,
    'logging:',
    '  level: warn',
  ].join('\n');
  // Its warnings (a subscriber's socket reset as the tester leaves) are kept for a failure's message only.
  const child = spawn(join(dir, 'livekit-server'), ['--config-body', config, '--node-ip', '127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const said: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => said.push(line) > 20 && said.shift());
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null)
      throw new Error(`livekit-server exited (${child.exitCode}) before answering: ${said.join(' | ')}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (tries > 100) throw new Error('livekit-server did not answer within 20 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return { process: child, url: url.replace('http', 'ws'), pid: child.pid! };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function measureLiveKit(dir: string, subscribers: number, seconds: number): Promise<LiveKitRow> {
  const server = await startLiveKit(dir);
  try {
    const rssBefore = rssKiB(server.pid);
    const tester = spawn(
      join(dir, 'livekit-tester'),
      [
        '-url',
        server.url,
        '-key',
        KEY,
        '-secret',
        SECRET,
        '-subscribers',
        String(subscribers),
        '-seconds',
        String(seconds),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    tester.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const window = { server: 0, tester: 0, at: 0, rss: 0 };
    const marks: Record<'start' | 'end', typeof window> = { start: { ...window }, end: { ...window } };
    const errors: string[] = [];
    for await (const line of createInterface({ input: tester.stderr! })) {
      const mark = line === 'WINDOW_START' ? 'start' : line === 'WINDOW_END' ? 'end' : undefined;
      if (!mark) {
        errors.push(line);
        continue;
      }
      marks[mark] = {
        server: cpuSeconds(server.pid),
        tester: cpuSeconds(tester.pid!),
        at: performance.now(),
        rss: rssKiB(server.pid),
      };
    }
    const code = await new Promise<number | null>((resolve) =>
      tester.exitCode !== null ? resolve(tester.exitCode) : tester.once('exit', resolve),
    );
    const parsed = TesterOutput.safeParse(JSON.parse(stdout.trim() || 'null'));
    if (code !== 0 || !parsed.success)
      throw new Error(`the LiveKit tester failed (exit ${code}): ${errors.slice(-5).join(' | ')}`);
    const out = parsed.data;
    const wall = (marks.end.at - marks.start.at) / 1000;
    const cpu = marks.end.server - marks.start.server;
    const usPerPacket = (cpu * 1e6) / (out.packetsPerSecond * out.seconds);
    return {
      subscribers,
      joined: out.subscribersJoined,
      packetsPerSecond: round(out.packetsPerSecond, 0),
      kbpsReceived: round(out.kbpsReceived, 0),
      serverCpuPct: round((cpu / wall) * 100, 1),
      usPerPacket: round(usPerPacket, 2),
      packetsPerCoreSec: round(1e6 / usPerPacket, 0),
      rssKiBPerSubscriber: round((marks.end.rss - rssBefore) / subscribers, 0),
      testerCpuPct: round(((marks.end.tester - marks.start.tester) / wall) * 100, 1),
      loadAverage: round(loadavg()[0]!, 2),
    };
  } finally {
    await stop(server.process);
  }
}

export async function benchLiveKitForwarding(
  mediasoup: typeof Mediasoup,
  repoRoot: string,
  options: LiveKitForwardingOptions,
): Promise<LiveKitForwardingResult> {
  const built = buildLiveKit(repoRoot);
  if ('unavailable' in built) return built;
  const rows: { livekit: LiveKitRow; bare: ForwardingRow | null }[] = [];
  for (const n of options.subscriberCounts) {
    options.onProgress(
      `LiveKit: 1 publisher (720p VP8 + audio) → ${n} pion subscribers, ${options.seconds} s`,
    );
    const livekit = await measureLiveKit(built.dir, n, options.seconds);
    const bare =
      livekit.packetsPerSecond > 0 && livekit.joined > 0
        ? await benchBareLike(
            mediasoup,
            {
              subscribers: livekit.joined,
              packetsPerSecond: livekit.packetsPerSecond,
              kbps: livekit.kbpsReceived,
            },
            { seconds: options.bareSeconds, srtp: LIVEKIT_SRTP_SUITE, onProgress: options.onProgress },
          )
        : null;
    rows.push({ livekit, bare });
  }
  return { version: built.dir.split('/').at(-1)!, rows };
}
