import { ConferError } from '../../domain/shared/errors';
import type { Instant } from './instant';
import { revisionAtTime } from './revision-at-time';

/** What deciding an instant needs to know of a stream (from its events, or the replay index). */
export interface StreamOutline {
  /** Revision of the newest event (-1: no stream). */
  head: number;
  firstOccurredAt: string;
  lastOccurredAt: string;
  /** The MeetingEnded event, if the meeting has ended. */
  ended: { revision: number; occurredAt: string } | null;
  revisionAtTime(ms: number): number;
}

export function outlineOf(
  events: readonly { occurredAt: string; streamRevision: number; type: string }[],
): StreamOutline {
  const ended = events.find((e) => e.type === 'MeetingEnded');
  return {
    head: events.length - 1,
    firstOccurredAt: events[0]?.occurredAt ?? '',
    lastOccurredAt: events[events.length - 1]?.occurredAt ?? '',
    ended: ended ? { revision: ended.streamRevision, occurredAt: ended.occurredAt } : null,
    revisionAtTime: (ms) => revisionAtTime(events, ms),
  };
}

/**
 * Which revision an instant stands at, or a coded error saying why there is none: before the
 * meeting was created, after it ended, beyond the stream's head, or in the future.
 */
export function targetRevision(instant: Instant | undefined, stream: StreamOutline, nowMs: number): number {
  const { head } = stream;
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
  if (instant.ms < Date.parse(stream.firstOccurredAt))
    throw new ConferError(
      'CONFER_AUDIT_BEFORE_CREATION',
      `at: ${instant.at} is before the meeting was created (${stream.firstOccurredAt})`,
      'at',
    );
  if (stream.ended && instant.ms > Date.parse(stream.lastOccurredAt))
    throw new ConferError(
      'CONFER_AUDIT_AFTER_END',
      `at: ${instant.at} is after the meeting ended (${stream.ended.occurredAt}, revision ${stream.ended.revision}); its last record is ${stream.lastOccurredAt} (revision ${head})`,
      'at',
    );
  if (instant.ms > nowMs)
    throw new ConferError('CONFER_AUDIT_BEYOND_HEAD', `at: ${instant.at} is in the future`, 'at');
  return stream.revisionAtTime(instant.ms);
}
