import type { AppendResult } from '../../../domain/ports/event-store';
import type { EventToAppend, StoredEvent } from '../../../domain/shared/envelope';

/**
 * What the writer thread tells the server of an append it wrote: only what the server does not
 * already hold. The events themselves stay on the server's side (it sent them), so the reply is a
 * few numbers and hashes rather than a copy of every event back (its deserialisation was ~4 % of
 * the event loop's CPU under load, perf, December 2026).
 */
export interface WrittenAppend {
  /** Stream revision of the first event (the next ones follow on). */
  firstRevision: number;
  /** Global position of each event, in order. */
  positions: number[];
  /** The stream's hash before the first event, then each event's own. */
  prevHash: string;
  hashes: string[];
  nextExpectedRevision: number;
  lastPosition: number;
}

/** An event as stored, but for its own hash and position: what the hash is computed over. */
export function hashedFields(
  streamId: string,
  event: EventToAppend,
  streamRevision: number,
  prevHash: string,
) {
  return {
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    streamId,
    meetingId: event.metadata.meetingId,
    streamRevision,
    occurredAt: event.metadata.occurredAt,
    actor: event.metadata.actor,
    correlationId: event.metadata.correlationId,
    causationId: event.metadata.causationId,
    data: event.data,
    prevHash,
  };
}

/** The append's result, built from the events sent and what the writer answered. */
export function appendResultOf(
  streamId: string,
  events: readonly EventToAppend[],
  written: WrittenAppend,
): AppendResult {
  let prevHash = written.prevHash;
  const stored: StoredEvent[] = events.map((event, i) => {
    const hash = written.hashes[i]!;
    // Not `{ ...base, hash, globalPosition }`: on Node 20's V8 a spread followed by keys the
    // source lacks gave every stored event a hidden class of its own (docs/capacity.md,
    // twenty-second session), and every read of an event missed its inline cache.
    const stored: StoredEvent = Object.assign(
      hashedFields(streamId, event, written.firstRevision + i, prevHash),
      { hash, globalPosition: written.positions[i]! },
    );
    prevHash = hash;
    return stored;
  });
  return {
    nextExpectedRevision: written.nextExpectedRevision,
    lastPosition: written.lastPosition,
    events: stored,
  };
}
