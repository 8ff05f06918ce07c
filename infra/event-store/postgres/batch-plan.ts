import type { AppendResult, ExpectedRevision } from '../../../domain/ports/event-store';
import type { RevisionConflictError } from '../../../domain/ports/event-store';
import type { EventToAppend, StoredEvent } from '../../../domain/shared/envelope';
import { ConferError } from '../../../domain/shared/errors';
import { checkExpectedLastEvent, checkExpectedRevision, revisionConflict } from '../expected-revision';
import { GENESIS_HASH, eventHash } from '../hash-chain';

export interface AppendRequest {
  streamId: string;
  events: readonly EventToAppend[];
  expected: ExpectedRevision;
  /** The id the stream's event at `expected` must have (AppendOptions.expectedLastEventId). */
  expectedLastEventId?: string;
}

export type AppendOutcome = { ok: AppendResult } | { error: unknown };

/** A stream's last revision (-1: no stream) and the hash its next event chains to. */
export interface StreamHead {
  revision: number;
  lastHash: string;
}

/** An event the batch will insert; its global position is filled in once the batch holds the lock. */
export interface PlannedEvent {
  event: StoredEvent;
  actorJson: string;
  dataJson: string;
}

export interface BatchPlan {
  /** Events to insert, in the order their global positions must follow. */
  newEvents: PlannedEvent[];
  /** The new head of every stream the batch writes to. */
  heads: Map<string, StreamHead>;
  /** One outcome per request, in order; call after positions were assigned. */
  outcomes(): AppendOutcome[];
}

const NO_STREAM: StreamHead = { revision: -1, lastHash: GENESIS_HASH };

/**
 * Decides, without I/O, what a group-commit batch writes: requests are taken in order, each sees
 * the heads left by the ones before it, and one that fails (stale revision, reused event id,
 * unserialisable data) fails alone. `streams` holds the locked heads of the batch's streams and
 * `existing` the already stored events whose ids the batch mentions (idempotent retries, and the
 * events pipelined appends were decided after: `expectedLastEventId`).
 */
export function planBatch(
  requests: readonly AppendRequest[],
  streams: ReadonlyMap<string, StreamHead>,
  existing: ReadonlyMap<string, StoredEvent>,
): BatchPlan {
  const heads = new Map<string, StreamHead>();
  const planned = new Map<string, StoredEvent>();
  const newEvents: PlannedEvent[] = [];
  const headOf = (streamId: string): StreamHead => heads.get(streamId) ?? streams.get(streamId) ?? NO_STREAM;

  function planOne({ streamId, events, expected, expectedLastEventId }: AppendRequest): () => AppendResult {
    const known = events.map((e) => existing.get(e.eventId) ?? planned.get(e.eventId));
    if (known[0]) {
      // The same events were appended before (a retried command): answer as the first time.
      const replayed = known.filter((e): e is StoredEvent => e?.streamId === streamId);
      if (replayed.length !== events.length) throw conflict(streamId, expected, headOf(streamId));
      return () => resultOf(replayed, headOf(streamId));
    }
    // Part of an earlier append reused under new ids: no answer is consistent with both.
    if (known.some((e) => e !== undefined)) throw conflict(streamId, expected, headOf(streamId));
    if (new Set(events.map((e) => e.eventId)).size !== events.length) {
      throw new ConferError('CONFER_VALIDATION_FAILED', 'An append lists the same event id twice', 'eventId');
    }
    const serialised = events.map(serialise);
    const head = headOf(streamId);
    checkExpectedRevision(streamId, expected, head.revision);
    if (expectedLastEventId !== undefined) {
      const found = planned.get(expectedLastEventId) ?? existing.get(expectedLastEventId);
      checkExpectedLastEvent(streamId, expected, head.revision, found);
    }

    let prevHash = head.lastHash;
    const stored = serialised.map(({ event, actor, data, actorJson, dataJson }, i): StoredEvent => {
      const base = {
        eventId: event.eventId,
        type: event.type,
        schemaVersion: event.schemaVersion,
        streamId,
        meetingId: event.metadata.meetingId,
        streamRevision: head.revision + 1 + i,
        occurredAt: event.metadata.occurredAt,
        actor,
        correlationId: event.metadata.correlationId,
        causationId: event.metadata.causationId,
        data,
        prevHash,
      };
      // Object.assign, not a spread with new keys: each event would get a hidden class of its own
      // on Node 20's V8 (docs/capacity.md, twenty-second session).
      const storedEvent: StoredEvent = Object.assign(base, { hash: eventHash(base), globalPosition: 0 });
      newEvents.push({ event: storedEvent, actorJson, dataJson });
      planned.set(storedEvent.eventId, storedEvent);
      prevHash = storedEvent.hash;
      return storedEvent;
    });
    const last = stored[stored.length - 1];
    if (last) heads.set(streamId, { revision: last.streamRevision, lastHash: last.hash });
    return () => resultOf(stored, head);
  }

  const plannedOutcomes = requests.map((request): (() => AppendResult) | { error: unknown } => {
    try {
      return planOne(request);
    } catch (error) {
      return { error };
    }
  });

  return {
    newEvents,
    heads,
    outcomes: () => plannedOutcomes.map((o) => (typeof o === 'function' ? { ok: o() } : o)),
  };
}

/** Global positions, ascending, one per planned event, in planning order. */
export function assignPositions(plan: BatchPlan, positions: readonly number[]): void {
  if (positions.length !== plan.newEvents.length) {
    throw new Error(`Got ${positions.length} global positions for ${plan.newEvents.length} events`);
  }
  plan.newEvents.forEach((planned, i) => (planned.event.globalPosition = positions[i]!));
}

function resultOf(events: StoredEvent[], headBefore: StreamHead): AppendResult {
  const last = events[events.length - 1];
  if (!last) return { nextExpectedRevision: headBefore.revision, lastPosition: 0, events: [] };
  return { nextExpectedRevision: last.streamRevision, lastPosition: last.globalPosition, events };
}

function conflict(streamId: string, expected: ExpectedRevision, head: StreamHead): RevisionConflictError {
  return revisionConflict(streamId, expected, head.revision);
}

/**
 * What is hashed and returned is what readers will parse back from the json columns: a round trip
 * through JSON drops undefined, turns Dates into strings..., so the hash chain verifies on read.
 */
function serialise(event: EventToAppend) {
  let dataJson: string;
  let actorJson: string;
  try {
    dataJson = JSON.stringify(event.data ?? null);
    actorJson = JSON.stringify(event.metadata.actor);
  } catch (error) {
    throw new ConferError(
      'CONFER_VALIDATION_FAILED',
      `Event ${event.eventId} cannot be stored as JSON: ${(error as Error).message}`,
      'data',
    );
  }
  return {
    event,
    dataJson,
    actorJson,
    data: JSON.parse(dataJson) as unknown,
    actor: JSON.parse(actorJson) as StoredEvent['actor'],
  };
}
