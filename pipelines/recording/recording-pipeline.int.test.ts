import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordingPrefix } from '../../domain/meeting/recording.keys';
import type { ObjectStore } from '../../domain/ports/object-store';
import { readAll } from '../../test/contracts/object-store.contract';
import { eventually } from '../../test/support/eventually';
import {
  ffprobeJson,
  recordingWorld,
  storeSyntheticTrack,
  type RecordingWorld,
} from '../../test/support/recording-world';
import { meetingWith, s3ObjectStore, startS3, type S3Server } from '../../test/support/recording-rig';
import { JobAborted } from './ffmpeg-process';
import { JobDocSchema, RECORDING_JOBS, runRecordingJob, saveJob, type JobDeps } from './recording-job';
import { createRecordingPipeline } from './recording-pipeline';

let s3: S3Server;
beforeAll(async () => {
  s3 = await startS3();
}, 60_000);
afterAll(async () => {
  await s3?.stop();
});

const s3Store = (secret = s3.secretAccessKey): ObjectStore => s3ObjectStore(s3, { secret, maxAttempts: 1 });

let world: RecordingWorld;
let objects: ObjectStore;
beforeEach(async () => {
  world = await recordingWorld();
  objects = s3Store();
});
afterEach(async () => {
  await objects.close();
  await world.close();
});

/** A meeting where Alice (camera + microphone) is recorded for `seconds`, with a chat message. */
async function recordedMeeting(options: { seconds?: number; publish?: boolean } = {}) {
  const seconds = options.seconds ?? 8;
  const meetingId = `m-${Math.random().toString(36).slice(2, 10)}`;
  const recordingId = `rec_${Math.random().toString(36).slice(2, 12)}`;
  await meetingWith(world, meetingId, 'Weekly sync', [{ id: 'alice', name: 'Alice' }]);
  const startMs = world.clock.ms();
  await world.act(meetingId, { type: 'StartRecording', recordingId });
  if (options.publish !== false) {
    for (const kind of ['video', 'audio'] as const)
      await storeSyntheticTrack(world, objects, {
        meetingId,
        recordingId,
        trackId: `alice-${kind}`,
        participantId: 'alice',
        kind,
        source: kind === 'video' ? 'camera' : 'microphone',
        seconds: seconds - 1,
        offsetMs: 500,
        recordingStartMs: startMs,
      });
  }
  world.clock.advance(2000);
  await world.act(
    meetingId,
    { type: 'SendChatMessage', messageId: 'c1', content: 'Hello <everyone>' },
    { type: 'participant', participantId: 'alice', isHost: true },
  );
  world.clock.advance(seconds * 1000 - 2000);
  await world.act(meetingId, { type: 'StopRecording', recordingId });
  return { meetingId, recordingId, seconds };
}

const jobDeps = (overrides: Partial<JobDeps> = {}): JobDeps => ({
  store: world.store,
  commands: world.commands,
  objects,
  projections: world.projections,
  clock: world.clock,
  logger: world.logger,
  workRoot: join(world.dir, 'work'),
  ffmpeg: 'ffmpeg',
  ffprobe: 'ffprobe',
  retry: { attempts: 2, firstDelayMs: 50, maxDelayMs: 100 },
  // The test clock stands still: no waiting for late segments.
  settleMs: 0,
  ...overrides,
});

/** A job as the pipeline saves it when the recording stops. */
const queuedJob = (meetingId: string, recordingId: string) => ({
  meetingId,
  recordingId,
  stage: 'queued' as const,
  fraction: 0,
  attempts: 0,
  updatedAt: new Date().toISOString(),
});

const recordingOf = async (meetingId: string, recordingId: string) =>
  (await world.commands.load(meetingId)).state.recordings[recordingId];

describe('recording pipeline (S3Proxy)', () => {
  it('turns stored segments into one MP4 with chapters and the chat, and appends RecordingAvailable with its SHA-256', async () => {
    // Subscribed first, as on a running node: the embedded bus hands a new group only what comes next.
    const pipeline = createRecordingPipeline({
      ...jobDeps(),
      bus: world.bus,
      leases: world.leases,
      staleMs: 60_000,
    });
    await pipeline.start();
    const { meetingId, recordingId, seconds } = await recordedMeeting();
    try {
      await eventually(
        'the recording to be available',
        async () => (await recordingOf(meetingId, recordingId))?.status === 'available',
        { timeoutMs: 90_000 },
      );
    } finally {
      await pipeline.close();
    }
    const file = (await recordingOf(meetingId, recordingId))!.file!;
    const bytes = await readAll(await objects.get(file.key));
    expect(bytes.length).toBe(file.sizeBytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
    expect(file.durationSeconds).toBe(seconds);

    const path = join(world.dir, 'out.mp4');
    writeFileSync(path, bytes);
    const probe = ffprobeJson(path);
    expect(probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual([
      'audio:aac',
      // MP4 chapters travel as a QuickTime chapter track beside the chapter list.
      'data:bin_data',
      'subtitle:mov_text',
      'video:h264',
    ]);
    expect(Math.abs(Number(probe.format.duration) - seconds)).toBeLessThan(1);
    expect(probe.chapters.map((c) => c.tags?.title)).toEqual(['Recording started']);
    // faststart: the index (moov) comes before the media (mdat).
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
    // The segments stay: nothing recorded is deleted.
    expect(
      (await objects.list(`${recordingPrefix(meetingId, recordingId)}tracks/`)).length,
    ).toBeGreaterThanOrEqual(4);
    const logged = world.logLines().map((l) => l['msg']);
    expect(logged).toEqual(
      expect.arrayContaining([
        'recording job started',
        'recording segments fetched',
        'recording composed',
        'recording available',
      ]),
    );
  }, 120_000);

  it('a killed job resumes from its last completed stage without fetching again', async () => {
    const { meetingId, recordingId } = await recordedMeeting();
    await saveJob(world.projections, queuedJob(meetingId, recordingId));
    let gets = 0;
    const counting: ObjectStore = { ...objects, get: (key, o) => (gets++, objects.get(key, o)) };
    const abort = new AbortController();
    const job = JobDocSchema.parse(await world.projections.get(RECORDING_JOBS, meetingId, recordingId));
    const first = runRecordingJob(job, jobDeps({ objects: counting }), abort.signal);
    // Killed once the segments are fetched: mid-composition.
    await eventually(
      'the job to have fetched',
      async () =>
        (await world.projections.get(RECORDING_JOBS, meetingId, recordingId))?.['stage'] === 'fetched',
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    abort.abort();
    await expect(first).rejects.toBeInstanceOf(JobAborted);
    expect((await recordingOf(meetingId, recordingId))?.status).toBe('processing');
    const fetched = gets;
    expect(fetched).toBeGreaterThan(0);

    const resumed = JobDocSchema.parse(await world.projections.get(RECORDING_JOBS, meetingId, recordingId));
    expect(resumed.stage).toBe('fetched');
    await runRecordingJob(resumed, jobDeps({ objects: counting }));
    expect(gets).toBe(fetched);
    expect((await recordingOf(meetingId, recordingId))?.status).toBe('available');
    expect(
      world.logLines().some((l) => l['msg'] === 'recording job resumed' && l['stage'] === 'fetched'),
    ).toBe(true);
  }, 120_000);

  it('plans only once every announced track has closed: a last segment stored late is in the file', async () => {
    const meetingId = `m-${Math.random().toString(36).slice(2, 10)}`;
    const recordingId = `rec_${Math.random().toString(36).slice(2, 12)}`;
    await meetingWith(world, meetingId, 'Late segment', [{ id: 'alice', name: 'Alice' }]);
    const startMs = world.clock.ms();
    await world.act(meetingId, { type: 'StartRecording', recordingId });
    let reachedLast!: () => void;
    const atLast = new Promise<void>((resolve) => (reachedLast = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // The recorder is still closing its last segment when the host stops.
    const storing = storeSyntheticTrack(world, objects, {
      meetingId,
      recordingId,
      trackId: 'alice-video',
      participantId: 'alice',
      kind: 'video',
      source: 'camera',
      seconds: 11,
      offsetMs: 500,
      recordingStartMs: startMs,
      announce: true,
      beforeLast: async () => {
        reachedLast();
        await released;
      },
    });
    await atLast;
    world.clock.advance(12_000);
    await world.act(meetingId, { type: 'StopRecording', recordingId });
    let finished = false;
    const job = runRecordingJob(queuedJob(meetingId, recordingId), jobDeps()).finally(
      () => (finished = true),
    );
    // Quiet or not, the open track holds the plan back (settleMs is 0 here).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(finished).toBe(false);
    release();
    const segments = await storing;
    expect(segments).toBe(3);
    await job;
    expect((await recordingOf(meetingId, recordingId))?.status).toBe('available');
    const aligned = world.logLines().find((l) => l['msg'] === 'track aligned' && l['kind'] === 'video');
    expect(aligned?.['segments']).toBe(segments);
  }, 120_000);

  it('the object store refusing the credentials fails the recording at fetch, naming why, and deletes nothing', async () => {
    const { meetingId, recordingId } = await recordedMeeting({ seconds: 5 });
    const refused = s3Store('wrong-secret');
    await runRecordingJob(queuedJob(meetingId, recordingId), jobDeps({ objects: refused }));
    await refused.close();
    const recording = await recordingOf(meetingId, recordingId);
    expect(recording?.status).toBe('failed');
    expect(recording?.failure?.stage).toBe('fetch');
    expect(recording?.failure?.reason).toMatch(/SignatureDoesNotMatch|refused|403/);
    expect((await objects.list(recordingPrefix(meetingId, recordingId))).length).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('ffmpeg missing fails the recording at compose; nobody publishing fails it at capture', async () => {
    const a = await recordedMeeting({ seconds: 5 });
    await runRecordingJob(
      queuedJob(a.meetingId, a.recordingId),
      jobDeps({ ffmpeg: 'ffmpeg-not-installed-here', ffprobe: 'ffprobe-not-installed-here' }),
    );
    const failed = await recordingOf(a.meetingId, a.recordingId);
    expect(failed?.failure?.stage).toBe('compose');
    expect(failed?.failure?.reason).toMatch(/not installed|no readable/);

    const b = await recordedMeeting({ seconds: 3, publish: false });
    await runRecordingJob(queuedJob(b.meetingId, b.recordingId), jobDeps());
    expect((await recordingOf(b.meetingId, b.recordingId))?.failure).toEqual({
      stage: 'capture',
      reason: 'nobody published audio or video while it was recording',
    });
  }, 60_000);
});
