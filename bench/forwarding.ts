import { readFileSync } from 'node:fs';
import type * as Mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import {
  BROWSER_SRTP_SUITE,
  cpuSeconds,
  plainOutput,
  plainProducer,
  udpSocket,
  vp8Payload,
} from '../media/testing/synthetic-rtp';
import { round } from './stats';

/**
 * Forwarding cost of a bare mediasoup worker, one publisher to N SRTP subscribers, measured over a
 * time window rather than a packet count so that `perf` can be attached for as long as it needs.
 * The worker is spawned with the given environment (MEDIASOUP_SEND_BATCH=0/1 selects the patch's
 * send path), so one binary measures both paths in the same run. Pure measurement: prints nothing.
 */
export interface ForwardingOptions {
  consumers: number;
  /** Length of the measured window. */
  seconds: number;
  /** The publisher's packets per second (160 × 1,150 bytes ≈ the 1.5 Mbit/s 720p layer). */
  streamRatePps?: number;
  packetBytes?: number;
  /**
   * Send whole frames back to back at this rate instead of spreading packets over 10 ms ticks
   * (a camera without a pacer): more datagrams reach the worker in one event-loop turn.
   */
  framesPerSec?: number;
  /** The subscribers' SRTP suite (default: the one browsers negotiate); null: plain RTP. */
  srtp?: types.SrtpCryptoSuite | null;
  rtcMinPort?: number;
  /** Extra environment for the worker process only. */
  workerEnv?: Record<string, string>;
  /** Called once the measured window starts (e.g. to attach perf to the worker). */
  onWindow?: (workerPid: number) => void;
}

export interface ForwardingRow {
  label: string;
  consumers: number;
  /** The subscribers' SRTP suite, or null for plain RTP. */
  srtp: types.SrtpCryptoSuite | null;
  packetsPerSecOut: number;
  /** Publisher packets that never reached the worker's producer (its socket overflowed). */
  inputLossPct: number;
  /** Copies the subscribers did not get, of packets sent × subscribers. */
  lossPct: number;
  workerCpuPct: number;
  usPerPacket: number;
  /** Packets per second one worker core would forward at this cost. */
  packetsPerCoreSec: number;
  /** Subscribers of this stream one core carries at this cost. */
  subscribersPerCore: number;
  workerRssMiB: number;
  rssKiBPerSubscriber: number;
  /**
   * Datagrams the kernel dropped on full receive buffers during the window, machine-wide: when it
   * covers the input loss, the worker was not scheduled in time (a busy machine), not saturated.
   */
  udpRcvbufErrors: number;
  /** This process's CPU (sender + receivers): near 100 % means the tester, not the worker, limits. */
  testerCpuPct: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return Number(kib ?? 0) * 1024;
}

/** The kernel's count of UDP datagrams dropped on full receive buffers, machine-wide. */
function udpRcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  return Number(values[names.indexOf('RcvbufErrors')] ?? Number.NaN);
}

const outboundCount = async (consumer: types.Consumer) =>
  (await consumer.getStats()).find((s) => s.type === 'outbound-rtp')?.packetCount ?? 0;
const inboundCount = async (producer: types.Producer) =>
  (await producer.getStats()).find((s) => s.type === 'inbound-rtp')?.packetCount ?? 0;

async function forwarded(consumers: types.Consumer[]): Promise<number> {
  let total = 0;
  for (const c of consumers) total += await outboundCount(c);
  return total;
}

/** mediasoup 3.12 passes process.env to the worker at spawn: set the extra variables just then. */
async function workerWithEnv(
  mediasoup: typeof Mediasoup,
  env: Record<string, string>,
  rtcMinPort: number,
): Promise<types.Worker> {
  const saved = Object.keys(env).map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, env);
  try {
    return await mediasoup.createWorker({ logLevel: 'none', rtcMinPort, rtcMaxPort: rtcMinPort + 1999 });
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export async function benchForwarding(
  mediasoup: typeof Mediasoup,
  label: string,
  options: ForwardingOptions,
): Promise<ForwardingRow> {
  const o = {
    streamRatePps: 160,
    packetBytes: 1150,
    framesPerSec: 0,
    srtp: BROWSER_SRTP_SUITE as types.SrtpCryptoSuite | null,
    rtcMinPort: 52000,
    workerEnv: {},
    ...options,
  };
  const worker = await workerWithEnv(mediasoup, o.workerEnv, o.rtcMinPort);
  const sinks: Awaited<ReturnType<typeof udpSocket>>[] = [];
  try {
    const router = await worker.createRouter({
      mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
    });
    const input = await plainProducer(router, 'video', 32_000_001);
    const rssBefore = rssBytes(worker.pid);
    // Receivers only drain their sockets: the worker's own counters say what it forwarded.
    for (let i = 0; i < 16; i++) sinks.push(await udpSocket(() => undefined));
    const consumers: types.Consumer[] = [];
    for (let i = 0; i < o.consumers; i++) {
      const transport = await plainOutput(
        router,
        sinks[i % sinks.length]!.address().port,
        o.srtp ?? undefined,
      );
      consumers.push(
        await transport.consume({ producerId: input.producer.id, rtpCapabilities: router.rtpCapabilities }),
      );
    }
    let index = 0;
    // Paced against the clock, so a late timer sends its backlog instead of slowing the stream.
    const stream = async (seconds: number) => {
      const start = performance.now();
      const startIndex = index;
      for (let elapsed = 0; elapsed < seconds * 1000; elapsed = performance.now() - start) {
        const due =
          startIndex +
          (o.framesPerSec
            ? Math.floor((elapsed / 1000) * o.framesPerSec) * Math.round(o.streamRatePps / o.framesPerSec)
            : Math.floor((elapsed / 1000) * o.streamRatePps));
        for (; index < due; index++) input.send(vp8Payload(index, o.packetBytes), index * 3000);
        await sleep(10);
      }
    };
    // Warm up (every consumer has seen a key frame, the worker's allocations have settled), let
    // it drain, then count a window that starts and ends with the stream.
    await stream(1.5);
    await sleep(300);
    const inBefore = await inboundCount(input.producer);
    const outBefore = await forwarded(consumers);
    const sentBefore = index;
    const cpuBefore = cpuSeconds(worker.pid);
    const dropsBefore = udpRcvbufErrors();
    const testerBefore = process.cpuUsage();
    const started = performance.now();
    o.onWindow?.(worker.pid);
    await stream(o.seconds);
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(worker.pid) - cpuBefore;
    const tester = process.cpuUsage(testerBefore);
    const rssAfter = rssBytes(worker.pid);
    await sleep(300);
    const drops = udpRcvbufErrors() - dropsBefore;
    const sent = index - sentBefore;
    const received = (await inboundCount(input.producer)) - inBefore;
    const out = (await forwarded(consumers)) - outBefore;
    input.close();
    // What the subscribers miss: packets the worker's input socket dropped or it did not forward.
    const expected = sent * o.consumers;
    const usPerPacket = out > 0 ? (cpu * 1e6) / out : Number.NaN;
    const packetsPerCoreSec = 1e6 / usPerPacket;
    return {
      label,
      consumers: o.consumers,
      srtp: o.srtp,
      packetsPerSecOut: round(out / seconds, 0),
      inputLossPct: round(Math.max(0, (1 - received / sent) * 100), 2),
      lossPct: round(Math.max(0, (1 - out / expected) * 100), 2),
      workerCpuPct: round((cpu / seconds) * 100, 1),
      usPerPacket: round(usPerPacket, 2),
      packetsPerCoreSec: round(packetsPerCoreSec, 0),
      subscribersPerCore: round(packetsPerCoreSec / o.streamRatePps, 0),
      workerRssMiB: round(rssAfter / 2 ** 20, 1),
      rssKiBPerSubscriber: round((rssAfter - rssBefore) / 1024 / o.consumers, 1),
      udpRcvbufErrors: drops,
      testerCpuPct: round(((tester.user + tester.system) / 1e6 / seconds) * 100, 1),
    };
  } finally {
    for (const sink of sinks) sink.close();
    worker.close();
  }
}

/** What a full server was measured forwarding: in all, to how many subscribers. */
export interface ObservedForwarding {
  subscribers: number;
  packetsPerSecond: number;
  kbps: number;
}

/**
 * The baseline of a full-server run: the bare worker forwarding the same packets per subscriber,
 * of the same mean size, to as many subscribers, with the SRTP suite they negotiated.
 */
export async function benchBareLike(
  mediasoup: typeof Mediasoup,
  observed: ObservedForwarding,
  options: { seconds: number; srtp: types.SrtpCryptoSuite; onProgress(line: string): void },
): Promise<ForwardingRow> {
  const perSubscriber = observed.packetsPerSecond / Math.max(1, observed.subscribers);
  const bytesPerPacket = (observed.kbps * 125) / Math.max(1, observed.packetsPerSecond);
  options.onProgress(
    `bare worker: ${round(perSubscriber, 0)} pkt/s × ${round(bytesPerPacket, 0)} B → ${observed.subscribers} subscribers (${options.srtp}), ${options.seconds} s`,
  );
  return benchForwarding(mediasoup, 'bare worker', {
    consumers: observed.subscribers,
    seconds: options.seconds,
    streamRatePps: Math.max(10, Math.round(perSubscriber)),
    packetBytes: Math.min(1200, Math.max(100, Math.round(bytesPerPacket))),
    srtp: options.srtp,
    rtcMinPort: 54000,
  });
}
