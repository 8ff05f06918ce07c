import type Database from 'better-sqlite3';
import type { AppendResult, ExpectedRevision } from '../../../domain/ports/event-store';
import { RevisionConflictError } from '../../../domain/ports/event-store';
import type { EventToAppend } from '../../../domain/shared/envelope';
import { checkExpectedLastEvent, checkExpectedRevision, revisionConflict } from '../expected-revision';
import { GENESIS_HASH, eventHash } from '../hash-chain';
import { toStoredEvent, type EventRow } from './schema';
import { hashedFields, type WrittenAppend } from './written-events';

export interface AppendRequest {
  streamId: string;
  events: readonly EventToAppend[];
  expected: ExpectedRevision;
  /** The id the stream's event at `expected` must have (AppendOptions.expectedLastEventId). */
  expectedLastEventId?: string;
}

export type AppendOutcome =
  /** Written now: the server builds the stored events from its own copy (WrittenAppend). */
  | { written: WrittenAppend }
  /** Written before (a retried append): the stored events as they were first written. */
  | { ok: AppendResult }
  | { conflict: { streamId: string; expected: ExpectedRevision; actual: number | 'no_stream' } }
  /** This append alone could not be written (rolled back to its savepoint); the batch went on. */
  | { rejected: { streamId: string; reason: string } };

/**
 * Writes a batch of appends in ONE transaction (group commit): each append is checked against
 * its expected revision before anything of it is written, so a conflict fails that append alone;
 * and each runs inside its own savepoint, so an append that fails for any other reason (an event
 * that cannot be encoded, a constraint) is rolled back alone and never fails its batch-mates.
 */
export function createBatchWriter(
  db: Database.Database,
): (batch: readonly AppendRequest[]) => AppendOutcome[] {
  const stmt = {
    // The stream's last event, read backwards through the unique index on (stream_id, stream_revision).
    stream: db.prepare<[string], { revision: number; last_hash: string }>(
      `SELECT stream_revision AS revision, hash AS last_hash FROM events
       WHERE stream_id = ? ORDER BY stream_revision DESC LIMIT 1`,
    ),
    insert: db.prepare(
      `INSERT INTO events (stream_id, stream_revision, event_id, type, schema_version, meeting_id, occurred_at,
         actor, correlation_id, causation_id, data, prev_hash, hash)
       VALUES (@stream_id, @stream_revision, @event_id, @type, @schema_version, @meeting_id, @occurred_at,
         @actor, @correlation_id, @causation_id, @data, @prev_hash, @hash)`,
    ),
    byEventId: db.prepare<[string], EventRow>('SELECT * FROM events WHERE event_id = ?'),
    positionOf: db.prepare<[string], { streamId: string; streamRevision: number }>(
      'SELECT stream_id AS streamId, stream_revision AS streamRevision FROM events WHERE event_id = ?',
    ),
  };

  function appendOne({ streamId, events, expected, expectedLastEventId }: AppendRequest): AppendOutcome {
    const first = events[0];
    if (first && stmt.byEventId.get(first.eventId))
      return { ok: idempotentResult(streamId, events, expected) };
    const row = stmt.stream.get(streamId);
    const actual = row ? row.revision : -1;
    checkExpectedRevision(streamId, expected, actual);
    if (expectedLastEventId !== undefined)
      checkExpectedLastEvent(streamId, expected, actual, stmt.positionOf.get(expectedLastEventId));
    const firstPrevHash = row ? row.last_hash : GENESIS_HASH;
    let prevHash = firstPrevHash;
    const positions: number[] = [];
    const hashes: string[] = [];
    events.forEach((event, i) => {
      const base = hashedFields(streamId, event, actual + 1 + i, prevHash);
      const hash = eventHash(base);
      const info = stmt.insert.run({
        stream_id: streamId,
        stream_revision: base.streamRevision,
        event_id: base.eventId,
        type: base.type,
        schema_version: base.schemaVersion,
        meeting_id: base.meetingId,
        occurred_at: base.occurredAt,
        actor: JSON.stringify(base.actor),
        correlation_id: base.correlationId,
        causation_id: base.causationId,
        data: JSON.stringify(base.data),
        prev_hash: prevHash,
        hash,
      });
      positions.push(Number(info.lastInsertRowid));
      hashes.push(hash);
      prevHash = hash;
    });
    const lastRevision = actual + events.length;
    return {
      written: {
        firstRevision: actual + 1,
        positions,
        prevHash: firstPrevHash,
        hashes,
        nextExpectedRevision: lastRevision,
        lastPosition: positions.at(-1) ?? 0,
      },
    };
  }

  /** The same events were appended before (a retried command): answer as the first time. */
  function idempotentResult(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): AppendResult {
    const rows = events.map((e) => stmt.byEventId.get(e.eventId));
    if (rows.some((r) => !r || r.stream_id !== streamId)) {
      const row = stmt.stream.get(streamId);
      throw revisionConflict(streamId, expected, row ? row.revision : -1);
    }
    const stored = (rows as EventRow[]).map(toStoredEvent);
    const last = stored[stored.length - 1]!;
    return { nextExpectedRevision: last.streamRevision, lastPosition: last.globalPosition, events: stored };
  }

  // better-sqlite3 runs a transaction function called inside another one as a SAVEPOINT.
  const appendInSavepoint = db.transaction(appendOne);
  const transaction = db.transaction((batch: readonly AppendRequest[]) =>
    batch.map((request): AppendOutcome => {
      try {
        return appendInSavepoint(request);
      } catch (error) {
        if (error instanceof RevisionConflictError) {
          return { conflict: { streamId: error.streamId, expected: error.expected, actual: error.actual } };
        }
        return { rejected: { streamId: request.streamId, reason: (error as Error).message } };
      }
    }),
  );
  // BEGIN IMMEDIATE: take the write lock up front, so that another process writing the same file
  // makes this batch wait (busy_timeout) instead of failing on a lock upgrade.
  return (batch) => transaction.immediate(batch);
}
