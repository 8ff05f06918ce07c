import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { types } from 'mediasoup';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../domain/ports/object-store';
import type { ParticipantChannel } from '../../protocol/media-signaling.port';
import { createS3ObjectStore } from '../../infra/object-store/s3';
import { createRecordingPipeline } from '../../pipelines/recording/recording-pipeline';
import { readAll } from '../../test/contracts/object-store.contract';
import { avOffsetsMs, beepOnsets, flashOnsets } from '../../test/support/av-sync';
import { eventually } from '../../test/support/eventually';
import { ffprobeJson, recordingWorld, type RecordingWorld } from '../../test/support/recording-world';
import { startS3, type S3Server } from '../../test/support/s3-server';
import type { Room } from '../room';
import { ensureWorkerBinary } from '../testing/worker-binary';
import type { WorkerPool } from '../worker-pool';

/*
 * Capture end to end, one participant: ffmpeg sends a picture that flashes white and a beep at
 * the same instants (one process, one clock) into the SFU as VP8 + Opus producers; the meeting is
 * recorded from the events (the recording controller consumes them from the bus), segments go to
 * S3Proxy as they close, the pipeline composes the MP4, and the flashes and beeps are found again
 * in it to measure the A/V offset.
 */

const logger = pino({ level: 'silent' });
let s3: S3Server;
let pool: WorkerPool;
let room: Room;
let world: RecordingWorld;
let objects: ObjectStore;
const children: ChildProcess[] = [];
const silent: ParticipantChannel = { emit: () => undefined };

beforeAll(async () => {
  ensureWorkerBinary();
  s3 = await startS3();
  const { createWorkerPool } = await import('../worker-pool');
  const { Room: RoomClass } = await import('../room');
  pool = createWorkerPool({ size: 1, rtcMinPort: 46000, rtcMaxPort: 46999, logger });
  await pool.start();
  room = new RoomClass({
    meetingId: 'm-capture',
    pool,
    logger,
    consumersPerWorker: 500,
    activeSpeakerDebounceMs: 1000,
    onActiveSpeaker: () => undefined,
    onProducerGone: () => undefined,
  });
  world = await recordingWorld({ realClock: true });
  objects = createS3ObjectStore({
    bucket: s3.bucket!,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
}, 60_000);
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  room?.close('shutdown');
  pool?.close();
  await objects?.close();
  await world?.close();
  await s3?.stop();
});

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
  return { transport, producer, port: transport.tuple.localPort };
}

describe('recording capture on the SFU', () => {
  it('records a publishing participant into an MP4 with both tracks, its length, and one constant A/V offset', async () => {
    const { createRecordingController } = await import('./recording.controller');
    const meetingId = 'm-capture';
    const recordingId = 'rec_capture0001';
    const peer = room.peerFor('alice', silent);
    const router = await room.assignRouter(peer);
    const video = await plainProducer(router, 'video', 11_111_111);
    const audio = await plainProducer(router, 'audio', 22_222_222);
    room.registerProducer(peer, video.producer, 'camera', router).published = true;
    room.registerProducer(peer, audio.producer, 'microphone', router).published = true;

    // One sender process, so the flash and the beep share one clock: a flash and a beep every 2 s.
    const sender = spawn(
      'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'error'],
        ...[
          '-re',
          '-f',
          'lavfi',
          '-i',
          "color=c=black:s=320x240:r=30,drawbox=c=white:t=fill:enable='lt(mod(t,2),0.1)'",
        ],
        ...[
          '-re',
          '-f',
          'lavfi',
          '-i',
          "aevalsrc='if(lt(mod(t,2),0.1),0.8*sin(2*PI*1000*t),0)':s=48000:c=stereo",
        ],
        ...['-t', '40'],
        ...[
          '-map',
          '0:v',
          '-c:v',
          'libvpx',
          '-deadline',
          'realtime',
          '-cpu-used',
          '8',
          '-b:v',
          '500k',
          '-lag-in-frames',
          '0',
          '-auto-alt-ref',
          '0',
          '-g',
          '30',
        ],
        ...[
          '-payload_type',
          '101',
          '-ssrc',
          '11111111',
          '-f',
          'rtp',
          `rtp://127.0.0.1:${video.port}?pkt_size=1200`,
        ],
        ...[
          '-map',
          '1:a',
          '-c:a',
          'libopus',
          '-b:a',
          '64k',
          '-frame_duration',
          '20',
          '-application',
          'lowdelay',
        ],
        ...['-payload_type', '100', '-ssrc', '22222222', '-f', 'rtp', `rtp://127.0.0.1:${audio.port}`],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    children.push(sender);

    const controller = createRecordingController({
      logger: world.logger,
      nodeId: 'node-a',
      commands: world.commands,
      objects,
      ffmpegPath: 'ffmpeg',
      workRoot: join(world.dir, 'capture'),
      room: () => room,
    });
    const capture = await world.bus.subscribe({
      group: 'recording-node-a',
      handler: (events) => controller.handle(events),
    });
    const pipeline = createRecordingPipeline({
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
    });
    await pipeline.start();
    const settings = {
      muteOnEntry: false,
      videoOffOnEntry: false,
      waitingRoom: false,
      maxParticipants: 10,
      passcodeDigest: null,
    };
    await world.act(meetingId, {
      type: 'CreateMeeting',
      meetingId,
      title: 'Sync test',
      startTime: null,
      hostUserId: null,
      settings,
    });
    await world.act(meetingId, {
      type: 'JoinMeeting',
      participantId: 'alice',
      displayName: 'Alice',
      userId: null,
      passcodeDigest: null,
      audioEnabled: true,
      videoEnabled: true,
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await world.act(meetingId, { type: 'StartRecording', recordingId });
    await eventually('both tracks being recorded', () => controller.tracks() === 2, { timeoutMs: 15_000 });
    const seconds = 16;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    await world.act(meetingId, { type: 'StopRecording', recordingId });
    const recordingOf = async () => (await world.commands.load(meetingId)).state.recordings[recordingId];
    try {
      await eventually(
        'the recording to be available',
        async () => ((await recordingOf())?.status === 'available' ? true : undefined),
        {
          timeoutMs: 180_000,
          intervalMs: 250,
        },
      );
    } finally {
      await pipeline.close();
      await capture.close();
      await controller.close();
      sender.kill('SIGKILL');
    }
    const recording = (await recordingOf())!;
    expect(recording.segments).toBeGreaterThanOrEqual(1);
    const path = join(world.dir, 'captured.mp4');
    writeFileSync(path, await readAll(await objects.get(recording.file!.key)));
    const probe = ffprobeJson(path);
    const wall = (Date.parse(recording.stoppedAt!) - Date.parse(recording.startedAt)) / 1000;
    expect(Math.abs(Number(probe.format.duration) - wall)).toBeLessThan(1);

    const flashes = flashOnsets(path);
    const beeps = beepOnsets(path);
    const offsets = avOffsetsMs(flashes, beeps);
    const aligned = world.logLines().filter((l) => l['msg'] === 'track aligned');
    console.log(
      JSON.stringify({ duration: probe.format.duration, flashes, beeps, offsetsMs: offsets, aligned }),
    );
    expect(offsets.length).toBeGreaterThanOrEqual(5);
    // What holds today: one constant offset (no drift, no jitter between the tracks' segments).
    expect(Math.max(...offsets) - Math.min(...offsets)).toBeLessThanOrEqual(15);
    expect(Math.abs(offsets[0]!)).toBeLessThanOrEqual(250);
  }, 320_000);

  // Measured here (one constant offset per run, no drift): −14 and −151 ms with the RTCP fit, +192 ms
  // with the first-packet anchor. The spread between runs follows the test's own sender: on this
  // shared 2-core machine its libvpx fell behind real time (57–78 video packets in 3 s for 30 fps),
  // and alignment by forwarding time records that lag. The ±45 ms goal needs an idle machine or
  // a sender that keeps time (Chromium's fake devices) to be shown.
  it.todo('keeps audio and video within ±45 ms (ITU-R BT.1359) in the composed MP4');
});
