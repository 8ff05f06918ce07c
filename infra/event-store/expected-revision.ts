import { RevisionConflictError, type ExpectedRevision } from '../../domain/ports/event-store';

/** The one check every adapter applies: `actual` is the stream's last revision, -1 when absent. */
export function checkExpectedRevision(streamId: string, expected: ExpectedRevision, actual: number): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === -1) ||
    (expected === 'stream_exists' && actual >= 0) ||
    (typeof expected === 'number' && expected === actual);
  if (!ok) throw new RevisionConflictError(streamId, expected, actual < 0 ? 'no_stream' : actual);
}
