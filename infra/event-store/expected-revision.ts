import { RevisionConflictError, type ExpectedRevision } from '../../domain/ports/event-store';

/** The refusal every adapter gives: `actual` is the stream's last revision, -1 when absent. */
export function revisionConflict(
  streamId: string,
  expected: ExpectedRevision,
  actual: number,
): RevisionConflictError {
  return new RevisionConflictError(streamId, expected, actual < 0 ? 'no_stream' : actual);
}

/** The one check every adapter applies: `actual` is the stream's last revision, -1 when absent. */
export function checkExpectedRevision(streamId: string, expected: ExpectedRevision, actual: number): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === -1) ||
    (expected === 'stream_exists' && actual >= 0) ||
    (typeof expected === 'number' && expected === actual);
  if (!ok) throw revisionConflict(streamId, expected, actual);
}

/** Where a stored event sits: the part of it the pipelined-append check needs. */
export interface EventPosition {
  streamId: string;
  streamRevision: number;
}

/**
 * The second check for a pipelined append (AppendOptions.expectedLastEventId): it must sit on the
 * append it was decided after, not on whatever else left the stream at the same revision (that
 * append was refused, another writer's got in). `found` is where the event with that id is stored
 * (or planned earlier in the same batch), undefined when it is nowhere.
 */
export function checkExpectedLastEvent(
  streamId: string,
  expected: ExpectedRevision,
  actual: number,
  found: EventPosition | undefined,
): void {
  if (found?.streamId !== streamId || found.streamRevision !== actual)
    throw revisionConflict(streamId, expected, actual);
}
