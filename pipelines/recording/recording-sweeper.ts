import type { Logger } from 'pino';
import type { MeetingCommandHandler } from '../../domain/meeting/meeting.handler';
import type { JobDoc } from './recording-job';

/**
 * Nothing stays "recording" or "processing" forever. A recording nobody is capturing any more
 * (no segment for `staleMs` while nobody is in the meeting, or for four times that in any case)
 * is stopped, so what was stored gets processed; a job stuck in processing for `staleMs` that no
 * one is working on is failed by the sweeper. Both are events, like everything else.
 */
export async function sweepRecordings(deps: {
  commands: MeetingCommandHandler;
  logger: Logger;
  staleMs: number;
  jobs(): Promise<JobDoc[]>;
  /** The recording this node is processing now, if any. */
  busy(): string | undefined;
  now(): number;
}): Promise<void> {
  const system = { type: 'system', reason: 'recording-sweeper' } as const;
  for (const job of await deps.jobs()) {
    if (job.stage === 'done' || job.stage === 'failed' || job.recordingId === deps.busy()) continue;
    const { state } = await deps.commands.load(job.meetingId);
    const recording = state.recordings[job.recordingId];
    if (!recording) continue;
    const idleMs = deps.now() - Date.parse(recording.lastActivityAt);
    const jobIdleMs = deps.now() - Date.parse(job.updatedAt);
    let reason: string | undefined;
    if (
      recording.status === 'recording' &&
      (idleMs > deps.staleMs * 4 || (idleMs > deps.staleMs && state.joinedCount === 0))
    )
      reason = `nothing was recorded for ${Math.round(idleMs / 1000)} s`;
    if (
      recording.status === 'processing' &&
      job.stage !== 'recording' &&
      Math.min(idleMs, jobIdleMs) > deps.staleMs
    )
      reason = `processing made no progress for ${Math.round(Math.min(idleMs, jobIdleMs) / 1000)} s`;
    if (!reason) continue;
    deps.logger.warn(
      { meetingId: job.meetingId, recordingId: job.recordingId, status: recording.status, reason },
      'sweeping a recording',
    );
    await deps.commands.handle(
      job.meetingId,
      { type: 'SweepRecording', recordingId: job.recordingId, reason },
      { actor: system },
    );
  }
}
