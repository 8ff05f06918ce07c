import { randomBytes } from 'node:crypto';
import type * as Mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import pino from 'pino';
import type { Room } from '../media/room';
import { parseRtp } from '../media/testing/rtp-packets';
import {
  cpuSeconds,
  BROWSER_SRTP_SUITE,
  plainOutput,
  SRTP_TAG_BYTES,
  plainProducer,
  udpSocket,
  vp8Payload,
} from '../media/testing/synthetic-rtp';
import { startCascadeNode } from '../media/testing/cascade-node';
import { ensureWorkerBinary } from '../media/testing/worker-binary';
import type { WorkerPool } from '../media/worker-pool';
import { round, summarize } from './stats';

/**
 * The SFU's data path, measured with synthetic RTP from this process over loopback:
 *  - latency: packets stamped with the send time (process.hrtime) through a producer and a
 *    consumer (PlainTransports), received here; p50/p99 of send → receive;
 *  - capacity: one synthetic VP8 stream (~1 Mbit/s) to N consumers on ONE worker, counting what
 *    arrives (loss) and the worker's CPU time from /proc/<pid>/stat (CPU per forwarded Mbit/s).
 * Each beside its baseline, a bare mediasoup worker/router/PlainTransport forward with nothing of
 * ours on top. Confer's side is a meeting built by media/ (worker pool, room, routers, pipes,
 * observers, consumer state). Pure measurement: prints nothing.
 */
export interface SfuBenchOptions {
  /** Packets per latency path (sent at `latencyRatePps`). */
  latencyPackets?: number;
  latencyRatePps?: number;
  /** Consumer counts tried for capacity, in increasing order. */
  consumerCounts?: number[];
  /** Packets of the measured window per capacity step (sent at `streamRatePps`). */
  capacityPackets?: number;
  streamRatePps?: number;
  packetBytes?: number;
  /** Encrypt what the consumers send (SRTP, with the suite browsers negotiate), as every WebRTC consumer does. */
  srtp?: boolean;
  rtcMinPort?: number;
}

export interface LatencyRow {
  path: string;
  packets: number;
  lost: number;
  p50Ms: number;
  p99Ms: number;
}

export interface CapacityRow {
  setup: 'baseline' | 'confer';
  consumers: number;
  srtp: boolean;
  packetsPerSecOut: number;
  mbpsOut: number;
  /** Stream packets that did not reach the worker's producer (its input socket overflowed). */
  inputLossPct: number;
  /** Copies the worker did not forward (of packets sent × consumers): the SFU's loss. */
  lossPct: number;
  /** Copies that did not reach this process's receivers (adds their own limits on loopback). */
  deliveredLossPct: number;
  workerCpuPct: number;
  cpuPctPerMbps: number;
  usPerPacket: number;
}

export interface SfuBenchResult {
  latency: LatencyRow[];
  capacity: CapacityRow[];
  /** Largest consumer count tried with < 1 % loss, per setup (0: none). */
  maxConsumersUnder1PctLoss: { baseline: number; confer: number };
}

const logger = pino({ level: 'silent' });
/** mediasoup's RTP probator (bandwidth probing padding) sends with this SSRC. */
const PROBE_SSRC = 1234;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Sends `count` stamped packets at `ratePps` and returns the send → receive times, ms. */
async function measureLatency(
  send: (payload: Buffer, clock: number) => void,
  received: Map<number, bigint>,
  count: number,
  ratePps: number,
): Promise<{ samples: number[]; lost: number }> {
  const sentAt = new Map<number, bigint>();
  for (let i = 0; i < count; i++) {
    const payload = Buffer.alloc(160);
    payload.writeUInt32BE(i, 0);
    const now = process.hrtime.bigint();
    sentAt.set(i, now);
    send(payload, i * 960);
    await sleep(1000 / ratePps);
  }
  await sleep(300);
  const samples: number[] = [];
  for (const [i, at] of sentAt) {
    const got = received.get(i);
    if (got !== undefined) samples.push(Number(got - at) / 1e6);
  }
  return { samples, lost: count - samples.length };
}

async function latencyThrough(
  label: string,
  producerRouter: types.Router,
  consumerRouter: types.Router,
  beforeConsume: (producer: types.Producer) => Promise<void>,
  options: Required<SfuBenchOptions>,
  ssrc: number,
): Promise<LatencyRow> {
  const received = new Map<number, bigint>();
  const media: { ssrc?: number } = {};
  const sink = await udpSocket((message) => {
    const at = process.hrtime.bigint();
    const rtp = parseRtp(message);
    if (rtp && rtp.ssrc === media.ssrc && rtp.payload.length >= 4)
      received.set(rtp.payload.readUInt32BE(0), at);
  });
  const input = await plainProducer(producerRouter, 'audio', ssrc);
  await beforeConsume(input.producer);
  const output = await plainOutput(consumerRouter, sink.address().port, undefined);
  const consumer = await output.consume({
    producerId: input.producer.id,
    rtpCapabilities: consumerRouter.rtpCapabilities,
  });
  media.ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
  await sleep(100);
  const { samples, lost } = await measureLatency(
    (p, c) => input.send(p, c),
    received,
    options.latencyPackets,
    options.latencyRatePps,
  );
  input.close();
  output.close();
  sink.close();
  const s = summarize(samples);
  return {
    path: label,
    packets: options.latencyPackets,
    lost,
    p50Ms: round(s.p50, 3),
    p99Ms: round(s.p99, 3),
  };
}

interface CapacityRig {
  workerPid: number;
  router: types.Router;
  producer: types.Producer;
  send(payload: Buffer, clock: number): void;
  /** Creates a consumer of the stream sending to `port` here. */
  addConsumer(port: number): Promise<types.Consumer>;
  close(): void;
}

const rtpPacketCount = async (entity: types.Producer | types.Consumer, type: string) =>
  (await entity.getStats()).find((s) => s.type === type)?.packetCount ?? 0;

async function forwardedCount(consumers: types.Consumer[]): Promise<number> {
  const counts = await Promise.all(consumers.map((c) => rtpPacketCount(c, 'outbound-rtp')));
  return counts.reduce((a, b) => a + b, 0);
}

async function capacityStep(rig: CapacityRig, count: number, options: Required<SfuBenchOptions>) {
  const sinkCount = 16;
  let delivered = 0;
  const sinks = await Promise.all(
    Array.from({ length: sinkCount }, () =>
      udpSocket((message) => {
        const payloadType = message[1]! & 0x7f;
        // Media only: not RTCP (rtcp-mux), not the bandwidth probes mediasoup sends with SSRC 1234.
        if ((payloadType < 72 || payloadType > 76) && message.readUInt32BE(8) !== PROBE_SSRC) delivered++;
      }),
    ),
  );
  const consumers: types.Consumer[] = [];
  for (let i = 0; i < count; i++) consumers.push(await rig.addConsumer(sinks[i % sinkCount]!.address().port));
  let index = 0;
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((options.streamRatePps * tickMs) / 1000));
  const sendFor = async (packets: number) => {
    for (let sent = 0; sent < packets;) {
      for (let k = 0; k < perTick && sent < packets; k++, sent++, index++)
        rig.send(vp8Payload(index, options.packetBytes), index * 3000);
      await sleep(tickMs);
    }
  };
  // Warm up (every consumer synchronised on a key frame), drain, then measure a clean window.
  await sendFor(options.streamRatePps);
  await sleep(300);
  const inBefore = await rtpPacketCount(rig.producer, 'inbound-rtp');
  const outBefore = await forwardedCount(consumers);
  delivered = 0;
  const cpuBefore = cpuSeconds(rig.workerPid);
  const started = performance.now();
  await sendFor(options.capacityPackets);
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(rig.workerPid) - cpuBefore;
  await sleep(500);
  const received = (await rtpPacketCount(rig.producer, 'inbound-rtp')) - inBefore;
  const forwarded = (await forwardedCount(consumers)) - outBefore;
  for (const sink of sinks) sink.close();
  const expected = options.capacityPackets * count;
  const outPps = forwarded / seconds;
  const wireBytes = options.packetBytes + 12 + (options.srtp ? SRTP_TAG_BYTES[BROWSER_SRTP_SUITE] : 0);
  const mbpsOut = (outPps * wireBytes * 8) / 1e6;
  const cpuPct = (cpu / seconds) * 100;
  return {
    consumers: count,
    srtp: options.srtp,
    packetsPerSecOut: round(outPps, 0),
    mbpsOut: round(mbpsOut, 1),
    inputLossPct: round(Math.max(0, (1 - received / options.capacityPackets) * 100), 2),
    lossPct: round(Math.max(0, (1 - forwarded / expected) * 100), 2),
    deliveredLossPct: round(Math.max(0, (1 - delivered / expected) * 100), 2),
    workerCpuPct: round(cpuPct, 1),
    cpuPctPerMbps: round(mbpsOut > 0 ? cpuPct / mbpsOut : Number.NaN, 3),
    usPerPacket: round(forwarded > 0 ? (cpu * 1e6) / forwarded : Number.NaN, 1),
  };
}

/** Bare mediasoup: one worker, one router, PlainTransports, nothing of ours. */
async function baselineRig(mediasoup: typeof Mediasoup, srtp: boolean, rtcMinPort: number) {
  const worker = await mediasoup.createWorker({
    logLevel: 'none',
    rtcMinPort,
    rtcMaxPort: rtcMinPort + 1999,
  });
  const router = await worker.createRouter({
    mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
  });
  const input = await plainProducer(router, 'video', 31_000_001);
  const outputs: types.PlainTransport[] = [];
  const rig: CapacityRig = {
    workerPid: worker.pid,
    router,
    producer: input.producer,
    send: (payload, clock) => input.send(payload, clock),
    async addConsumer(port) {
      const transport = await plainOutput(router, port, srtp ? BROWSER_SRTP_SUITE : undefined);
      outputs.push(transport);
      return transport.consume({ producerId: input.producer.id, rtpCapabilities: router.rtpCapabilities });
    },
    close() {
      input.close();
      worker.close();
    },
  };
  return rig;
}

/** Confer: a meeting built by media/ on a one-worker pool; consumers go through the room. */
async function conferRig(srtp: boolean, rtcMinPort: number): Promise<CapacityRig> {
  const { createWorkerPool } = await import('../media/worker-pool');
  const { Room: RoomClass } = await import('../media/room');
  const pool: WorkerPool = createWorkerPool({ size: 1, rtcMinPort, rtcMaxPort: rtcMinPort + 1999, logger });
  await pool.start();
  const room: Room = new RoomClass({
    meetingId: 'bench',
    pool,
    logger,
    consumersPerWorker: 100_000,
    activeSpeakerDebounceMs: 1500,
    onActiveSpeaker: () => undefined,
    onProducerGone: () => undefined,
  });
  const channel = { emit: () => undefined };
  const owner = room.peerFor('sender', channel);
  const router = await room.assignRouter(owner);
  const input = await plainProducer(router, 'video', 31_000_002);
  const entry = room.registerProducer(owner, input.producer, 'camera', router);
  entry.published = true;
  let n = 0;
  return {
    workerPid: pool.workers()[0]!.pid,
    router,
    producer: input.producer,
    send: (payload, clock) => input.send(payload, clock),
    async addConsumer(port) {
      const peer = room.peerFor(`receiver-${n++}`, channel);
      const transport = await plainOutput(
        await room.assignRouter(peer),
        port,
        srtp ? BROWSER_SRTP_SUITE : undefined,
      );
      const consumer = await transport.consume({
        producerId: input.producer.id,
        rtpCapabilities: router.rtpCapabilities,
        paused: true,
      });
      const state = room.registerConsumer(peer, consumer, entry);
      state.clientPaused = false;
      await room.applyConsumerState(state);
      return consumer;
    },
    close() {
      input.close();
      room.close('shutdown');
      pool.close();
    },
  };
}

export async function benchSfu(options: SfuBenchOptions = {}): Promise<SfuBenchResult> {
  const o: Required<SfuBenchOptions> = {
    latencyPackets: 1000,
    latencyRatePps: 200,
    consumerCounts: [50, 100, 200, 400, 800],
    capacityPackets: 400,
    streamRatePps: 100,
    packetBytes: 1150,
    srtp: true,
    rtcMinPort: 50000,
    ...options,
  };
  ensureWorkerBinary();
  const mediasoup = await import('mediasoup');
  const { createWorkerPool } = await import('../media/worker-pool');
  const { Room: RoomClass } = await import('../media/room');

  // ── Latency ──
  const latency: LatencyRow[] = [];
  {
    const worker = await mediasoup.createWorker({
      logLevel: 'none',
      rtcMinPort: o.rtcMinPort,
      rtcMaxPort: o.rtcMinPort + 999,
    });
    const router = await worker.createRouter({
      mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
    });
    latency.push(
      await latencyThrough(
        'bare mediasoup router (baseline)',
        router,
        router,
        async () => undefined,
        o,
        41_000_001,
      ),
    );
    worker.close();
  }
  {
    const pool = createWorkerPool({
      size: 2,
      rtcMinPort: o.rtcMinPort + 1000,
      rtcMaxPort: o.rtcMinPort + 2999,
      logger,
    });
    await pool.start();
    const meeting = (consumersPerWorker: number): Room =>
      new RoomClass({
        meetingId: `bench-${consumersPerWorker}`,
        pool,
        logger,
        consumersPerWorker,
        activeSpeakerDebounceMs: 1500,
        onActiveSpeaker: () => undefined,
        onProducerGone: () => undefined,
      });
    const channel = { emit: () => undefined };
    for (const [label, room] of [
      ['Confer meeting, same router', meeting(100_000)],
      // No budget: the second participant is placed on a router of the other worker.
      ['Confer meeting, piped across workers', meeting(0)],
    ] as const) {
      const sender = room.peerFor('sender', channel);
      const receiver = room.peerFor('receiver', channel);
      const from = await room.assignRouter(sender);
      const to = await room.assignRouter(receiver);
      latency.push(
        await latencyThrough(
          label,
          from,
          to,
          async (producer) => {
            const entry = room.registerProducer(sender, producer, 'microphone', from);
            await room.ensureOnRouter(entry, to);
          },
          o,
          41_000_002,
        ),
      );
      room.close('shutdown');
    }
    pool.close();
  }
  {
    // A meeting cascaded over two nodes (here two workers and socket.io servers of this process):
    // the receiver's node pulls the producer through an SRTP pipe with RTX over the node link.
    const live = new Map<string, string>();
    const secret = randomBytes(32).toString('hex');
    const node = (id: string, offset: number) =>
      startCascadeNode({
        id,
        meetingId: 'bench-cascade',
        live,
        rtcMinPort: o.rtcMinPort + offset,
        logger,
        secret,
      });
    const [a, b] = [await node('bench-a', 9000), await node('bench-b', 9500)];
    const channel = { emit: () => undefined };
    const sender = a.room.peerFor('sender', channel);
    const receiver = b.room.peerFor('receiver', channel);
    const from = await a.room.assignRouter(sender);
    const to = await b.room.assignRouter(receiver);
    latency.push(
      await latencyThrough(
        'Confer meeting, pulled from another node (SRTP pipe)',
        from,
        to,
        async (producer) => {
          a.room.registerProducer(sender, producer, 'microphone', from).published = true;
          b.room.remote?.learn({
            producerId: producer.id,
            participantId: 'sender',
            source: 'microphone',
            kind: 'audio',
            nodeId: 'bench-a',
          });
          let pulled = b.room.producers.get(producer.id);
          for (let waited = 0; !pulled && waited < 10_000; waited += 20) {
            await sleep(20);
            pulled = b.room.producers.get(producer.id);
          }
          if (!pulled) throw new Error('the producer was not pulled to the other node');
          await b.room.ensureOnRouter(pulled, to);
        },
        o,
        41_000_003,
      ),
    );
    await a.close();
    await b.close();
  }

  // ── Capacity ──
  const capacity: CapacityRow[] = [];
  const max = { baseline: 0, confer: 0 };
  for (const setup of ['baseline', 'confer'] as const) {
    for (const consumers of o.consumerCounts) {
      const rig =
        setup === 'baseline'
          ? await baselineRig(mediasoup, o.srtp, o.rtcMinPort + 3000)
          : await conferRig(o.srtp, o.rtcMinPort + 6000);
      try {
        const row = await capacityStep(rig, consumers, o);
        capacity.push({ setup, ...row });
        if (row.lossPct < 1) max[setup] = Math.max(max[setup], consumers);
        else break;
      } finally {
        rig.close();
      }
      await sleep(200);
    }
  }
  return { latency, capacity, maxConsumersUnder1PctLoss: max };
}
