import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../domain/ports/object-store';
import { meetingStreamId } from '../../domain/shared/envelope';
import { readAll } from '../../test/contracts/object-store.contract';
import { afterEveryTrackBegan, avOffsetsMs, beepOnsets, flashOnsets } from '../../test/support/av-sync';
import { eventually } from '../../test/support/eventually';
import {
  meetingWith,
  s3ObjectStore,
  startS3,
  startSfuRig,
  worldPipeline,
  type S3Server,
  type SfuRig,
} from '../../test/support/recording-rig';
import { ffprobeJson, recordingWorld, type RecordingWorld } from '../../test/support/recording-world';

/*
 * Capture end to end, one participant: ffmpeg sends a picture that flashes white and a beep at
 * the same instants (one process, one clock) into the SFU as VP8 + Opus producers; the meeting is
 * recorded from the events (the recording controller consumes them from the bus), segments go to
 * S3Proxy as they close, the pipeline composes the MP4, and the flashes and beeps are found again
 * in it to measure the A/V offset.
 */

const meetingId = 'm-capture';
let s3: S3Server;
let world: RecordingWorld;
let objects: ObjectStore;
let sfu: SfuRig;

beforeAll(async () => {
  s3 = await startS3();
  world = await recordingWorld({ realClock: true });
  objects = s3ObjectStore(s3);
  sfu = await startSfuRig(world, meetingId, [46000, 46999]);
}, 60_000);
afterAll(async () => {
  await sfu?.close();
  await objects?.close();
  await world?.close();
  await s3?.stop();
});

describe('recording capture on the SFU', () => {
  it('records a publishing participant into an MP4 with both tracks, its length, and audio within ±45 ms of video', async () => {
    const recordingId = 'rec_capture0001';
    const sender = await sfu.publish('alice', { kind: 'flash-beep', seconds: 40 });
    const capture = await sfu.startCapture(objects);
    const pipeline = worldPipeline(world, objects);
    await pipeline.start();
    await meetingWith(world, meetingId, 'Sync test', [{ id: 'alice', name: 'Alice' }]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await world.act(meetingId, { type: 'StartRecording', recordingId });
    await eventually('both tracks being recorded', () => capture.controller.tracks() === 2, {
      timeoutMs: 15_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    await world.act(meetingId, { type: 'StopRecording', recordingId });
    const recordingOf = async () => (await world.commands.load(meetingId)).state.recordings[recordingId];
    try {
      await eventually(
        'the recording to be available',
        async () => ((await recordingOf())?.status === 'available' ? true : undefined),
        { timeoutMs: 180_000, intervalMs: 250 },
      );
    } finally {
      await pipeline.close();
      await capture.close();
      sender.kill('SIGKILL');
    }
    const recording = (await recordingOf())!;
    expect(recording.segments).toBeGreaterThanOrEqual(1);
    // Each recorder announced its track, and closed it with the number of segments it stored.
    expect(Object.values(recording.tracks)).toEqual(['closed', 'closed']);
    const stream = await world.store.readStream(meetingStreamId(meetingId));
    for (const trackId of Object.keys(recording.tracks)) {
      const ofTrack = stream.filter((e) => (e.data as { trackId?: string }).trackId === trackId);
      const stored = ofTrack.filter((e) => e.type === 'RecordingSegmentStored').length;
      expect(ofTrack.map((e) => e.type)).toEqual([
        'RecordingTrackStarted',
        ...Array<string>(stored).fill('RecordingSegmentStored'),
        'RecordingTrackClosed',
      ]);
      expect(ofTrack.at(-1)?.data).toMatchObject({ segments: stored });
    }
    const path = join(world.dir, 'captured.mp4');
    writeFileSync(path, await readAll(await objects.get(recording.file!.key)));
    const probe = ffprobeJson(path);
    const wall = (Date.parse(recording.stoppedAt!) - Date.parse(recording.startedAt)) / 1000;
    expect(Math.abs(Number(probe.format.duration) - wall)).toBeLessThan(1);

    const aligned = world.logLines().filter((l) => l['msg'] === 'track aligned');
    const starts = aligned.map((l) => Number(l['offsetSeconds']));
    const offsets = avOffsetsMs(
      afterEveryTrackBegan(flashOnsets(path), starts),
      afterEveryTrackBegan(beepOnsets(path), starts),
    );
    console.log(JSON.stringify({ duration: probe.format.duration, offsetsMs: offsets, aligned }));
    expect(aligned.map((l) => l['method'])).toEqual(['earliest-arrival', 'earliest-arrival']);
    expect(offsets.length).toBeGreaterThanOrEqual(5);
    // This sender is ffmpeg's libvpx, which on a loaded machine falls behind real time: its
    // earliest packets still leave soon after their frame's time, so the offset holds.
    for (const offset of offsets)
      expect(Math.abs(offset), `offsets ${offsets.join(', ')} ms`).toBeLessThanOrEqual(45);
  }, 320_000);
});
