import type { Logger } from 'pino';
import type { MeetingCommandHandler } from '../../domain/meeting/meeting.handler';
import { meetingEventTypes } from '../../domain/meeting/meeting.events';
import { toMeetingEvent } from '../../domain/meeting/meeting.upcasters';
import type { EventBus, BusSubscription } from '../../domain/ports/event-bus';
import type { LeaseManager } from '../../domain/ports/lease';
import type { StoredEvent } from '../../domain/shared/envelope';
import { runWhileLeader, type LeaderLoop } from '../forwarder/leader';
import { JobAborted } from './ffmpeg-process';
import {
  JobDocSchema,
  RECORDING_JOBS,
  runRecordingJob,
  saveJob,
  type JobDeps,
  type JobDoc,
  type JobStage,
} from './recording-job';
import { createPrefetcher } from './prefetch';
import { sweepRecordings } from './recording-sweeper';

export interface RecordingPipelineDeps extends JobDeps {
  bus: EventBus;
  leases: LeaseManager;
  commands: MeetingCommandHandler;
  /** A recording nothing has happened to for this long is swept (stopped, or failed). */
  staleMs: number;
  sweepEveryMs?: number;
  /** Lease name (tests run several pipelines side by side). */
  leaseName?: string;
  logger: Logger;
}

const PENDING: readonly JobStage[] = ['queued', 'fetched', 'composed', 'uploaded'];

/** The pipeline follows a recording's own events only: its bus group is handed nothing else. */
export const RECORDING_EVENT_TYPES = meetingEventTypes.filter((type) => type.startsWith('Recording'));

/**
 * The recording pipeline: a consumer of the bus (never of the request) that keeps one job
 * document per recording, and, on whichever node holds its lease, works through pending jobs one
 * at a time (composition takes the CPU) and sweeps recordings left behind.
 */
export function createRecordingPipeline(deps: RecordingPipelineDeps) {
  let subscription: BusSubscription | undefined;
  let leader: LeaderLoop | undefined;
  let working: { abort: AbortController; done: Promise<void> } | undefined;
  let current: string | undefined;
  let wake: (() => void) | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let running = false;

  const prefetcher = createPrefetcher(deps);

  async function handle(events: StoredEvent[]): Promise<void> {
    for (const stored of events) {
      const event = toMeetingEvent(stored);
      if (event?.type === 'RecordingSegmentStored') {
        // Only the node that will compose copies segments ahead, and only before the job ran
        // (a copy made after it would outlive the job's work directory).
        if (running) {
          const job = await deps.projections.get(RECORDING_JOBS, stored.meetingId, event.data.recordingId);
          const stage = job ? JobDocSchema.parse(job).stage : undefined;
          if (stage === 'recording') prefetcher.segmentStored({ meetingId: stored.meetingId, ...event.data });
        }
        continue;
      }
      if (!event || !event.type.startsWith('Recording')) continue;
      const recordingId = (event.data as { recordingId: string }).recordingId;
      const meetingId = stored.meetingId;
      const existing = await deps.projections.get(RECORDING_JOBS, meetingId, recordingId);
      const before = existing ? JobDocSchema.parse(existing) : undefined;
      const next = nextStage(event.type, before?.stage);
      if (!next || next === before?.stage) continue;
      await saveJob(deps.projections, {
        meetingId,
        recordingId,
        stage: next,
        fraction: before?.fraction ?? 0,
        attempts: before?.attempts ?? 0,
        updatedAt: stored.occurredAt,
        ...(before?.file ? { file: before.file } : {}),
      });
      if (next === 'queued') wake?.();
    }
  }

  async function pending(): Promise<JobDoc[]> {
    const out: JobDoc[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await deps.projections.scan(RECORDING_JOBS, { limit: 200, ...(cursor ? { cursor } : {}) });
      for (const entry of page) {
        const job = JobDocSchema.safeParse(entry.doc);
        if (job.success) out.push(job.data);
      }
      if (page.length < 200) return out;
      cursor = page[page.length - 1]!.key;
    }
  }

  async function workLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const jobs = (await pending().catch(() => [])).filter((j) => PENDING.includes(j.stage));
      const job = jobs.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))[0];
      if (!job) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, 2000);
          wake = done;
          signal.addEventListener('abort', done, { once: true });
        });
        wake = undefined;
        continue;
      }
      current = job.recordingId;
      try {
        await runRecordingJob(job, deps, signal);
      } catch (error) {
        if (error instanceof JobAborted) return;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      } finally {
        current = undefined;
      }
    }
  }

  return {
    async start(): Promise<void> {
      subscription = await deps.bus.subscribe({
        group: 'recording-pipeline',
        fromBeginning: true,
        gatherMs: 250, // composing takes seconds: a quarter of one more costs nobody anything
        types: RECORDING_EVENT_TYPES,
        handler: handle,
      });
      leader = runWhileLeader({
        leases: deps.leases,
        name: deps.leaseName ?? 'recording-pipeline',
        logger: deps.logger,
        start: async () => {
          running = true;
          const abort = new AbortController();
          working = { abort, done: workLoop(abort.signal) };
          const sweep = () =>
            sweepRecordings({
              ...deps,
              jobs: pending,
              busy: () => current,
              now: () => deps.clock.now().getTime(),
            }).catch((error: unknown) => deps.logger.warn({ err: error }, 'recording sweep failed'));
          void sweep();
          sweepTimer = setInterval(() => void sweep(), deps.sweepEveryMs ?? 30_000);
        },
        stop: async () => {
          running = false;
          if (sweepTimer) clearInterval(sweepTimer);
          working?.abort.abort();
          await working?.done.catch(() => undefined);
          working = undefined;
        },
      });
    },
    get leading(): boolean {
      return running;
    },
    async close(): Promise<void> {
      await leader?.stop();
      await subscription?.close();
      await prefetcher.close();
    },
  };
}

/** How an event moves a job document; undefined: it changes nothing (a duplicate, late news). */
function nextStage(type: string, before: JobStage | undefined): JobStage | undefined {
  switch (type) {
    case 'RecordingStarted':
      return before === undefined ? 'recording' : undefined;
    case 'RecordingStopped':
      return before === undefined || before === 'recording' ? 'queued' : undefined;
    case 'RecordingAvailable':
      return 'done';
    case 'RecordingFailed':
      return before === 'done' ? undefined : 'failed';
    default:
      return undefined;
  }
}
