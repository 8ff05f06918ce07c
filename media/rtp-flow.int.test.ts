import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import pino from 'pino';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParticipantChannel } from '../protocol/media-signaling.port';
import type { Room } from './room';
import { audioLevel, parseRtp, rtpPacket } from './testing/rtp-packets';
import { eventually } from '../test/support/eventually';
import { ensureWorkerBinary } from './testing/worker-binary';
import type { WorkerPool } from './worker-pool';

/*
 * Real RTP through a meeting's routers: ffmpeg sends VP8 into a PlainTransport producer on one
 * router (worker), a PlainTransport consumer on the meeting's other router (other worker)
 * receives it through the pipe; and synthetic microphones with audio levels drive the
 * active-speaker observer into debounced speaker changes.
 */

const logger = pino({ level: 'silent' });
let pool: WorkerPool;
let room: Room;
const speakers: Array<string | null> = [];
const children: ChildProcess[] = [];
const sockets: Socket[] = [];
const silentChannel: ParticipantChannel = { emit: () => undefined };

beforeAll(async () => {
  ensureWorkerBinary();
  const { createWorkerPool } = await import('./worker-pool');
  const { Room: RoomClass } = await import('./room');
  pool = createWorkerPool({ size: 2, rtcMinPort: 47000, rtcMaxPort: 47999, logger });
  await pool.start();
  room = new RoomClass({
    meetingId: 'rtp-flow',
    pool,
    logger,
    // No budget at all: every participant past the first gets a router on another worker.
    consumersPerWorker: 0,
    activeSpeakerDebounceMs: 200,
    onActiveSpeaker: (participantId) => speakers.push(participantId),
    onProducerGone: () => undefined,
  });
});
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const socket of sockets) socket.close();
  room?.close('shutdown');
  pool?.close();
});

async function udpReceiver(): Promise<{ socket: Socket; port: number; packets: Buffer[] }> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  const packets: Buffer[] = [];
  socket.on('message', (message) => packets.push(message));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, packets };
}

const routers = new Map<string, types.Router>();
const routerById = (id: string) => routers.get(id);

/** A participant of the room with a router of its own (see the budget above). */
async function participant(participantId: string) {
  const peer = room.peerFor(participantId, silentChannel);
  const router = await room.assignRouter(peer);
  routers.set(router.id, router);
  return { peer, router };
}

describe('RTP through the SFU', () => {
  it('forwards ffmpeg’s VP8 from a producer on one worker to a consumer on the other', async () => {
    const alice = await participant('alice');
    const bob = await participant('bob');
    expect(alice.router.id).not.toBe(bob.router.id);

    const input = await alice.router.createPlainTransport({
      listenIp: '127.0.0.1',
      rtcpMux: true,
      comedia: true,
    });
    const ssrc = 22_222_222;
    const producer = await input.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
        encodings: [{ ssrc }],
      },
    });
    const entry = room.registerProducer(alice.peer, producer, 'camera', alice.router);
    entry.published = true;

    const receiver = await udpReceiver();
    const output = await bob.router.createPlainTransport({
      listenIp: '127.0.0.1',
      rtcpMux: true,
      comedia: false,
    });
    await output.connect({ ip: '127.0.0.1', port: receiver.port });
    await room.ensureOnRouter(entry, bob.router);
    const consumer = await output.consume({
      producerId: producer.id,
      rtpCapabilities: bob.router.rtpCapabilities,
    });

    const ffmpeg = spawn(
      'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'error', '-re'],
        ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15', '-t', '8'],
        ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '15', '-an'],
        ...['-payload_type', '101', '-ssrc', String(ssrc)],
        ...['-f', 'rtp', `rtp://127.0.0.1:${input.tuple.localPort}?pkt_size=1200`],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    children.push(ffmpeg);
    let ffmpegErrors = '';
    ffmpeg.stderr?.on('data', (chunk: Buffer) => (ffmpegErrors += chunk.toString()));
    ffmpeg.on('error', (error) => (ffmpegErrors += String(error)));

    const packetCount = async (c: types.Consumer) =>
      (await c.getStats()).find((s) => s.type === 'outbound-rtp')?.packetCount ?? 0;
    const first = await eventually(`forwarded packets (ffmpeg: ${ffmpegErrors})`, async () =>
      (await packetCount(consumer)) > 10 ? packetCount(consumer) : undefined,
    );
    await eventually('the packet count rising', async () =>
      (await packetCount(consumer)) > first ? true : undefined,
    );

    // What arrived is VP8 from our producer, rewritten to the consumer's SSRC and payload type.
    // (Packets with SSRC 1234 are mediasoup's bandwidth probes, not media.)
    const media = receiver.packets
      .map(parseRtp)
      .filter((p) => p !== undefined && p.ssrc === consumer.rtpParameters.encodings![0]!.ssrc);
    expect(media.length).toBeGreaterThan(10);
    expect(new Set(media.map((p) => p!.payloadType))).toEqual(
      new Set([consumer.rtpParameters.codecs[0]!.payloadType]),
    );
    ffmpeg.kill('SIGKILL');
  });

  it('turns the loudest microphone into a debounced active speaker, from either router', async () => {
    // The observer measures speech against each speaker's noise floor: levels must vary as voices do.
    const talking = () => (Math.random() < 0.2 ? 100 : 5 + Math.floor(Math.random() * 35));
    const quiet = () => 95 + Math.floor(Math.random() * 15);
    const levels = new Map<string, () => number>([
      ['carol', quiet],
      ['dave', quiet],
    ]);
    const senders: Array<() => void> = [];
    // The observer lives on the meeting's first router; Dave speaks from the other one (piped).
    const [first, second] = room.describe().routers.map((r) => r.routerId);
    for (const participantId of levels.keys()) {
      const { peer, router: assigned } = await participant(participantId);
      const router = routerById(participantId === 'dave' ? second! : first!) ?? assigned;
      const transport = await router.createPlainTransport({
        listenIp: '127.0.0.1',
        rtcpMux: true,
        comedia: true,
      });
      const ssrc = participantId === 'carol' ? 1111 : 2222;
      const producer = await transport.produce({
        kind: 'audio',
        rtpParameters: {
          codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
          headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 1 }],
          encodings: [{ ssrc }],
        },
      });
      room.registerProducer(peer, producer, 'microphone', router);
      const socket = createSocket('udp4');
      sockets.push(socket);
      let sequenceNumber = 0;
      const port = transport.tuple.localPort;
      // 20 ms Opus-sized packets whose header carries this participant's current level.
      senders.push(() => {
        sequenceNumber++;
        socket.send(
          rtpPacket({
            payloadType: 100,
            sequenceNumber,
            timestamp: sequenceNumber * 960,
            ssrc,
            extensions: [{ id: 1, value: audioLevel(levels.get(participantId)!()) }],
            payload: Buffer.alloc(80, sequenceNumber & 0xff),
          }),
          port,
          '127.0.0.1',
        );
      });
    }
    const ticker = setInterval(() => senders.forEach((send) => send()), 20);
    try {
      // Whoever was added first dominates by default; each phase below needs a real switch.
      for (const [speaker, other] of [
        ['dave', 'carol'],
        ['carol', 'dave'],
        ['dave', 'carol'],
      ] as const) {
        levels.set(speaker, talking);
        levels.set(other, quiet);
        await eventually(`${speaker} as the active speaker`, () =>
          speakers.at(-1) === speaker ? true : undefined,
        );
      }
    } finally {
      clearInterval(ticker);
    }
  });
});
