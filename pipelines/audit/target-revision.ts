import { ConferError } from '../../domain/shared/errors';
import type { Instant } from './instant';
import { revisionAtTime } from './revision-at-time';

interface StreamFacts {
  events: readonly { occurredAt: string; streamRevision: number; type: string }[];
  nowMs: number;
}

/**
 * Which revision an instant stands at, or a coded error saying why there is none: before the
 * meeting was created, after it ended, beyond the stream's head, or in the future.
 */
export function targetRevision(instant: Instant | undefined, { events, nowMs }: StreamFacts): number {
  const head = events.length - 1;
  if (head < 0) throw new ConferError('CONFER_MEETING_NOT_FOUND', undefined, 'meetingId');
  if (!instant) return head;
  if (instant.kind === 'revision') {
    if (instant.revision > head)
      throw new ConferError(
        'CONFER_AUDIT_BEYOND_HEAD',
        `at: revision ${instant.revision} is beyond the stream's head (${head})`,
        'at',
      );
    return instant.revision;
  }
  const first = events[0]!;
  if (instant.ms < Date.parse(first.occurredAt))
    throw new ConferError(
      'CONFER_AUDIT_BEFORE_CREATION',
      `at: ${instant.at} is before the meeting was created (${first.occurredAt})`,
      'at',
    );
  const ended = events.find((e) => e.type === 'MeetingEnded');
  const last = events[head]!;
  if (ended && instant.ms > Date.parse(last.occurredAt))
    throw new ConferError(
      'CONFER_AUDIT_AFTER_END',
      `at: ${instant.at} is after the meeting ended (${ended.occurredAt}, revision ${ended.streamRevision}); its last record is ${last.occurredAt} (revision ${head})`,
      'at',
    );
  if (instant.ms > nowMs)
    throw new ConferError('CONFER_AUDIT_BEYOND_HEAD', `at: ${instant.at} is in the future`, 'at');
  return revisionAtTime(events, instant.ms);
}
