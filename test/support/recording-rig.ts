import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { types } from 'mediasoup';
import pino from 'pino';
import type { ObjectStore } from '../../domain/ports/object-store';
import { createS3ObjectStore } from '../../infra/object-store/s3';
import type { Room } from '../../media/room';
import type { WorkerPool } from '../../media/worker-pool';
import { createRecordingController } from '../../media/recording/recording.controller';
import { ensureWorkerBinary } from '../../media/testing/worker-binary';
import type { ParticipantChannel } from '../../protocol/media-signaling.port';
import {
  createRecordingPipeline,
  type RecordingPipelineDeps,
} from '../../pipelines/recording/recording-pipeline';
import type { RecordingWorld } from './recording-world';
import { startS3, type S3Server } from './s3-server';

/*
 * The rig the recording's tests and benchmark share: S3Proxy and an S3 object store on it, a real
 * SFU room with plain-RTP producers fed by ffmpeg senders, the SFU's recording controller and the
 * recording pipeline, all wired to a RecordingWorld (real stores, in-process bus).
 */

export const MEETING_SETTINGS = {
  muteOnEntry: false,
  videoOffOnEntry: false,
  waitingRoom: false,
  maxParticipants: 10,
  passcodeDigest: null,
} as const;

/** An S3 object store on S3Proxy (optionally with a wrong secret, or without retries). */
export function s3ObjectStore(s3: S3Server, o: { secret?: string; maxAttempts?: number } = {}): ObjectStore {
  return createS3ObjectStore({
    bucket: s3.bucket!,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: o.secret ?? s3.secretAccessKey },
    ...(o.maxAttempts !== undefined ? { maxAttempts: o.maxAttempts } : {}),
  });
}

export { startS3, type S3Server };

/** Creates the meeting and has each participant join it (camera and microphone on). */
export async function meetingWith(
  world: RecordingWorld,
  meetingId: string,
  title: string,
  participants: ReadonlyArray<{ id: string; name: string }>,
): Promise<void> {
  await world.act(meetingId, {
    type: 'CreateMeeting',
    meetingId,
    title,
    startTime: null,
    hostUserId: null,
    settings: { ...MEETING_SETTINGS },
  });
  for (const p of participants)
    await world.act(meetingId, {
      type: 'JoinMeeting',
      participantId: p.id,
      displayName: p.name,
      userId: null,
      passcodeDigest: null,
      audioEnabled: true,
      videoEnabled: true,
    });
}

/** The recording pipeline on the world's bus, store and leases. */
export function worldPipeline(
  world: RecordingWorld,
  objects: ObjectStore,
  overrides: Partial<RecordingPipelineDeps> = {},
) {
  return createRecordingPipeline({
    store: world.store,
    commands: world.commands,
    objects,
    projections: world.projections,
    clock: world.clock,
    logger: world.logger,
    workRoot: join(world.dir, 'work'),
    ffmpeg: 'ffmpeg',
    ffprobe: 'ffprobe',
    retry: { attempts: 3, firstDelayMs: 100, maxDelayMs: 500 },
    bus: world.bus,
    leases: world.leases,
    staleMs: 600_000,
    ...overrides,
  });
}

export interface SfuRig {
  pool: WorkerPool;
  room: Room;
  /** A participant publishing camera (VP8) and microphone (Opus) from one ffmpeg sender. */
  publish(participantId: string, content: SenderContent): Promise<ChildProcess>;
  /** The SFU's recording controller, fed by the world's bus. */
  startCapture(objects: ObjectStore): Promise<{
    controller: ReturnType<typeof createRecordingController>;
    close(): Promise<void>;
  }>;
  close(): Promise<void>;
}

/**
 * What a sender sends: `flash-beep` (a white flash and a 1 kHz beep of 100 ms every 2 s, from one
 * process, so on one clock) or `moving` (testsrc2 at 640x360 and a tone: costly to compose, like
 * a real camera).
 */
export type SenderContent = { kind: 'flash-beep' | 'moving'; seconds: number };

const silent: ParticipantChannel = { emit: () => undefined };

async function plainProducer(router: types.Router, kind: 'audio' | 'video', ssrc: number) {
  const transport = await router.createPlainTransport({
    listenIp: '127.0.0.1',
    rtcpMux: true,
    comedia: true,
  });
  const producer = await transport.produce({
    kind,
    rtpParameters: {
      codecs: [
        kind === 'video'
          ? { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }
          : { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 },
      ],
      encodings: [{ ssrc }],
    },
  });
  return { producer, port: transport.tuple.localPort };
}

function senderArgs(
  content: SenderContent,
  video: { port: number; ssrc: number },
  audio: { port: number; ssrc: number },
) {
  const picture =
    content.kind === 'flash-beep'
      ? "color=c=black:s=320x240:r=30,drawbox=c=white:t=fill:enable='lt(mod(t,2),0.1)'"
      : 'testsrc2=s=640x360:r=30';
  const sound =
    content.kind === 'flash-beep'
      ? // In 1 ms chunks, as a microphone delivers what it has captured: lavfi hands out a chunk
        // at its first sample's time (-re), so its default 1024-sample chunks let an Opus packet
        // leave up to 21 ms before its last sample "was captured", which the recorder's arrival
        // envelope (media/recording/arrival-envelope.ts) takes for the capture clock: audio read
        // −16 ms early in every run, and a video frame's rounding then crossed −45 ms (CI).
        "aevalsrc='if(lt(mod(t,2),0.1),0.8*sin(2*PI*1000*t),0)':s=48000:c=stereo:n=48"
      : 'sine=f=330:r=48000';
  return [
    ...['-hide_banner', '-loglevel', 'error'],
    ...[
      '-re',
      '-f',
      'lavfi',
      '-i',
      picture,
      '-re',
      '-f',
      'lavfi',
      '-i',
      sound,
      '-t',
      String(content.seconds),
    ],
    ...['-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k'],
    ...['-lag-in-frames', '0', '-auto-alt-ref', '0', '-g', '30'],
    ...[
      '-payload_type',
      '101',
      '-ssrc',
      String(video.ssrc),
      '-f',
      'rtp',
      `rtp://127.0.0.1:${video.port}?pkt_size=1200`,
    ],
    ...['-map', '1:a', '-c:a', 'libopus', '-b:a', '64k', '-frame_duration', '20', '-application', 'lowdelay'],
    ...['-payload_type', '100', '-ssrc', String(audio.ssrc), '-f', 'rtp', `rtp://127.0.0.1:${audio.port}`],
  ];
}

/** A real mediasoup worker and a room of `meetingId`, on its own RTC port range. */
export async function startSfuRig(
  world: RecordingWorld,
  meetingId: string,
  ports: [number, number],
): Promise<SfuRig> {
  ensureWorkerBinary();
  const { createWorkerPool } = await import('../../media/worker-pool');
  const { Room: RoomClass } = await import('../../media/room');
  const logger = pino({ level: 'silent' });
  const pool = createWorkerPool({ size: 1, rtcMinPort: ports[0], rtcMaxPort: ports[1], logger });
  await pool.start();
  const room: Room = new RoomClass({
    meetingId,
    pool,
    logger,
    consumersPerWorker: 500,
    activeSpeakerDebounceMs: 1000,
    onActiveSpeaker: () => undefined,
    onProducerGone: () => undefined,
  });
  const senders: ChildProcess[] = [];
  let ssrc = 10_000_000;
  return {
    pool,
    room,
    async publish(participantId, content) {
      const peer = room.peerFor(participantId, silent);
      const router = await room.assignRouter(peer);
      const video = { ...(await plainProducer(router, 'video', ++ssrc)), ssrc };
      const audio = { ...(await plainProducer(router, 'audio', ++ssrc)), ssrc };
      room.registerProducer(peer, video.producer, 'camera', router).published = true;
      room.registerProducer(peer, audio.producer, 'microphone', router).published = true;
      const sender = spawn('ffmpeg', senderArgs(content, video, audio), {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      senders.push(sender);
      return sender;
    },
    async startCapture(objects) {
      const controller = createRecordingController({
        logger: world.logger,
        nodeId: 'node-a',
        commands: world.commands,
        objects,
        ffmpegPath: 'ffmpeg',
        workRoot: join(world.dir, 'capture'),
        room: () => room,
      });
      const subscription = await world.bus.subscribe({
        group: 'recording-node-a',
        handler: (events) => controller.handle(events),
      });
      return {
        controller,
        async close() {
          await subscription.close();
          await controller.close();
        },
      };
    },
    async close() {
      for (const s of senders) s.kill('SIGKILL');
      room.close('shutdown');
      pool.close();
    },
  };
}
