import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { MeetingCommandHandler } from '../../domain/meeting/meeting.handler';
import type { RecordingStage } from '../../domain/meeting/recording.events';
import { toMeetingEvent } from '../../domain/meeting/meeting.upcasters';
import type { Clock } from '../../domain/ports/clock';
import type { EventStore } from '../../domain/ports/event-store';
import { ObjectStoreUnavailableError, type ObjectStore } from '../../domain/ports/object-store';
import type { ProjectionStore } from '../../domain/ports/projection-store';
import { meetingStreamId } from '../../domain/shared/envelope';
import { composeRecording, composedPath, NothingToCompose } from './compose-stage';
import { FfmpegError, JobAborted } from './ffmpeg-process';
import { fetchSegments, type StageContext } from './fetch-segments';
import type { RetryPolicy } from './object-retry';
import { planRecording, type TimedEvent } from './recording-plan';
import { uploadRecording } from './upload-stage';

/** Where each job's stage and progress are kept (one document per recording, partition = meeting). */
export const RECORDING_JOBS = '_recording_jobs';

export const JobStageSchema = z.enum([
  'recording',
  'queued',
  'fetched',
  'composed',
  'uploaded',
  'done',
  'failed',
]);
export type JobStage = z.infer<typeof JobStageSchema>;

export const JobDocSchema = z.object({
  meetingId: z.string(),
  recordingId: z.string(),
  stage: JobStageSchema,
  /** Overall progress 0..1 (fetch 0–0.2, compose 0.2–0.9, upload 0.9–1). */
  fraction: z.number(),
  attempts: z.number().int(),
  updatedAt: z.string(),
  file: z.object({ key: z.string(), sizeBytes: z.number(), sha256: z.string() }).optional(),
});
export type JobDoc = z.infer<typeof JobDocSchema>;

export interface JobDeps {
  store: EventStore;
  commands: MeetingCommandHandler;
  objects: ObjectStore;
  projections: ProjectionStore;
  clock: Clock;
  logger: Logger;
  workRoot: string;
  ffmpeg: string;
  ffprobe: string;
  retry: RetryPolicy;
  /** Failures that are not the recording's fault (a bug, the event store away) before giving up. */
  maxAttempts?: number;
  /**
   * For a recording made before recorders announced their tracks: how long after the last stored
   * segment the job waits before planning (default 4 s).
   */
  settleMs?: number;
  /**
   * How long a track a recorder announced but never closed (its node died) is waited for, counted
   * from the recording's last recorded activity (default 30 s).
   */
  openTrackLimitMs?: number;
}

const system = { type: 'system', reason: 'recording-pipeline' } as const;

export async function saveJob(projections: ProjectionStore, job: JobDoc): Promise<void> {
  await projections.transaction((tx) => tx.put(RECORDING_JOBS, job.meetingId, job.recordingId, job));
}

/**
 * One recording's processing, resumable: each completed stage is saved in the job document, and a
 * restarted job (this node after a crash, or another node that took the lease) continues from the
 * last one. Outcomes become events: RecordingAvailable with the file's SHA-256, or RecordingFailed
 * naming the stage and the reason. Nothing stored is deleted, whatever happens.
 */
export async function runRecordingJob(initial: JobDoc, deps: JobDeps, signal?: AbortSignal): Promise<JobDoc> {
  let job = { ...initial };
  const log = deps.logger.child({ meetingId: job.meetingId, recordingId: job.recordingId });
  const workDir = join(deps.workRoot, job.meetingId, job.recordingId);
  let lastSaved = 0;
  const save = async (changes: Partial<JobDoc>, force = true) => {
    job = { ...job, ...changes, updatedAt: deps.clock.now().toISOString() };
    const now = Date.now();
    if (!force && now - lastSaved < 1000) return;
    lastSaved = now;
    await saveJob(deps.projections, job);
  };
  const progress = (from: number, to: number) => (f: number) => {
    void save({ fraction: from + (to - from) * f }, false).catch(() => undefined);
  };
  let stage: RecordingStage = 'fetch';
  const ctx: StageContext = {
    meetingId: job.meetingId,
    objects: deps.objects,
    workDir,
    retry: deps.retry,
    ...(signal ? { signal } : {}),
    onRetry: (attempt, error) =>
      log.warn({ attempt, err: error, stage }, 'object store unavailable; retrying'),
  };

  try {
    if (job.stage === 'queued') await settle(job, deps, signal);
    const stored = await deps.store.readStream(meetingStreamId(job.meetingId));
    const timed: TimedEvent[] = [];
    let title = 'Meeting';
    for (const e of stored) {
      const event = toMeetingEvent(e);
      if (!event) continue;
      if (event.type === 'MeetingCreated') title = event.data.title;
      timed.push({ event, occurredAt: e.occurredAt });
    }
    const plan = planRecording(timed, job.recordingId);
    log.info(
      { stage: job.stage, tracks: plan.tracks.length, durationSeconds: plan.durationSeconds },
      job.stage === 'queued' ? 'recording job started' : 'recording job resumed',
    );
    if (plan.tracks.length === 0) {
      stage = 'capture';
      throw new NothingToCompose('nobody published audio or video while it was recording');
    }
    await mkdir(workDir, { recursive: true });

    if (job.stage === 'queued' || (job.stage !== 'uploaded' && !existsSync(composedPath(workDir)))) {
      stage = 'fetch';
      // Files already fetched (a resumed job) are kept and not fetched again.
      await fetchSegments(plan, ctx, progress(0, 0.2));
      if (job.stage === 'queued') {
        await save({ stage: 'fetched', fraction: 0.2 });
        log.info({ stage: 'fetched' }, 'recording segments fetched');
      }
    }
    if (job.stage === 'fetched' || (job.stage === 'composed' && !existsSync(composedPath(workDir)))) {
      stage = 'compose';
      const started = Date.now();
      const { gaps } = await composeRecording(
        plan,
        {
          workDir,
          ffmpeg: deps.ffmpeg,
          ffprobe: deps.ffprobe,
          title,
          ...(signal ? { signal } : {}),
          log: (m, d) => log.info(d ?? {}, m),
        },
        progress(0.2, 0.9),
      );
      await save({ stage: 'composed', fraction: 0.9 });
      log.info({ stage: 'composed', seconds: (Date.now() - started) / 1000, gaps }, 'recording composed');
    }
    if (job.stage === 'composed') {
      stage = 'upload';
      const file = await uploadRecording(composedPath(workDir), job.recordingId, ctx, progress(0.9, 1));
      await save({ stage: 'uploaded', fraction: 1, file });
      log.info({ stage: 'uploaded', ...file }, 'recording uploaded');
    }
    if (job.stage === 'uploaded' && job.file) {
      await deps.commands.handle(
        job.meetingId,
        {
          type: 'CompleteRecording',
          recordingId: job.recordingId,
          key: job.file.key,
          contentType: 'video/mp4',
          durationSeconds: plan.durationSeconds,
          sizeBytes: job.file.sizeBytes,
          sha256: job.file.sha256,
        },
        { actor: system },
      );
      await save({ stage: 'done', fraction: 1 });
      // Only the work copies go; the stored segments and the file stay.
      await rm(workDir, { recursive: true, force: true });
      log.info({ sha256: job.file.sha256 }, 'recording available');
    }
    return job;
  } catch (error) {
    if (error instanceof JobAborted || signal?.aborted) throw new JobAborted();
    const recordingFault =
      error instanceof FfmpegError ||
      error instanceof NothingToCompose ||
      error instanceof ObjectStoreUnavailableError;
    const attempts = job.attempts + 1;
    if (!recordingFault && attempts < (deps.maxAttempts ?? 3)) {
      await save({ attempts });
      log.warn({ err: error, stage, attempts }, 'recording job failed; it will be retried');
      throw error;
    }
    const reason = error instanceof Error ? error.message : String(error);
    log.error({ stage, reason }, 'recording failed');
    await deps.commands.handle(
      job.meetingId,
      {
        type: 'FailRecording',
        recordingId: job.recordingId,
        stage,
        reason: reason.slice(0, 2000) || 'unknown',
      },
      { actor: system },
    );
    await save({ stage: 'failed', attempts });
    return job;
  }
}

/**
 * Waits until the capture is whole: every track a recorder announced is closed (its last segment
 * stored), which the recorders say once ffmpeg has closed the last segment and it is stored, however
 * long that takes on a loaded machine. A track that never closes (its node died) is waited for until
 * nothing has happened to the recording for `openTrackLimitMs`; a recording made before tracks were
 * announced, until it has been quiet for `settleMs`.
 */
async function settle(job: JobDoc, deps: JobDeps, signal?: AbortSignal): Promise<void> {
  const settleMs = deps.settleMs ?? 4000;
  const openTrackLimitMs = deps.openTrackLimitMs ?? 30_000;
  for (;;) {
    if (signal?.aborted) throw new JobAborted();
    const recording = (await deps.commands.load(job.meetingId)).state.recordings[job.recordingId];
    const tracks = Object.values(recording?.tracks ?? {});
    const quietFor =
      deps.clock.now().getTime() - Date.parse(recording?.lastActivityAt ?? '1970-01-01T00:00:00Z');
    if (tracks.length > 0 && tracks.every((t) => t === 'closed')) return;
    const limit = tracks.length > 0 ? openTrackLimitMs : settleMs;
    if (quietFor >= limit) {
      if (tracks.length > 0)
        deps.logger.warn(
          {
            meetingId: job.meetingId,
            recordingId: job.recordingId,
            open: tracks.filter((t) => t === 'open').length,
          },
          'composing without tracks that never closed (their recorder stopped reporting)',
        );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(500, limit - quietFor)));
  }
}
