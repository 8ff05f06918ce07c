import type pg from 'pg';
import type { StoredEvent } from '../../../domain/shared/envelope';
import {
  assignPositions,
  planBatch,
  type AppendOutcome,
  type AppendRequest,
  type BatchPlan,
} from './batch-plan';
import { EVENT_COLUMNS, toStoredEvent, type EventRow } from './event-rows';
import type { StoreNames } from './store-names';

/**
 * Writes one group-commit batch in one transaction, in four round trips:
 *  1. BEGIN and take the store's write lock, a transaction-scoped advisory lock: one writing
 *     transaction at a time across all nodes, so global positions are taken, and become visible,
 *     in order (no reader ever checkpoints past a position still to appear; see
 *     docs/event-store.md). Taken first, it also leaves nothing for nodes to race or deadlock on;
 *  2. read the head position, the heads of the batch's streams and the stored events its ids refer
 *     to (idempotent retries, and the events pipelined appends were decided after); plan in memory which requests succeed, with revisions and hashes;
 *  3. insert events at the positions after the head, move stream heads, NOTIFY listeners
 *     (delivered at commit);
 *  4. COMMIT; the lock goes with the transaction.
 * Throws if the transaction fails; the caller decides whether to retry, split or give up.
 */
export async function writeBatch(
  client: pg.ClientBase,
  names: StoreNames,
  requests: readonly AppendRequest[],
): Promise<AppendOutcome[]> {
  try {
    // The key is a number computed by us, safe to inline: BEGIN and the lock in one round trip.
    await client.query(`BEGIN; SELECT pg_advisory_xact_lock('${names.writeLockKey}'::bigint)`);
    const { head, streams, existing } = await readUnderLock(client, names, requests);
    const plan = planBatch(requests, streams, existing);
    if (plan.newEvents.length > 0) {
      // Under the lock nobody else writes: positions follow the head without holes.
      assignPositions(
        plan,
        plan.newEvents.map((_, i) => head + 1 + i),
      );
      await insertAndNotify(client, names, plan);
    }
    await client.query('COMMIT');
    return plan.outcomes();
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

interface LockedStreamRow {
  stream_id: string;
  revision: number;
  last_hash: string;
}

/**
 * One statement, one round trip. FOR UPDATE is redundant under the write lock, and kept on
 * purpose: a writer that bypasses the lock (a repair script) still cannot move a stream under
 * this batch's feet. This statement's snapshot is taken after the lock was granted, so it sees
 * the previous writer's commit.
 */
async function readUnderLock(client: pg.ClientBase, names: StoreNames, requests: readonly AppendRequest[]) {
  const streamIds = [...new Set(requests.map((r) => r.streamId))].sort();
  // The batch's own ids (idempotent retries) and those pipelined appends were decided after.
  const eventIds = requests.flatMap((r) => [
    ...r.events.map((e) => e.eventId),
    ...(r.expectedLastEventId === undefined ? [] : [r.expectedLastEventId]),
  ]);
  const { rows } = await client.query<{ head: string; streams: LockedStreamRow[]; events: EventRow[] }>(
    `WITH locked AS MATERIALIZED (
       SELECT stream_id, revision, last_hash FROM ${names.streams}
       WHERE stream_id = ANY($1::text[]) ORDER BY stream_id FOR UPDATE
     )
     SELECT (SELECT coalesce(max(global_position), 0) FROM ${names.events}) AS head,
            (SELECT coalesce(json_agg(locked), '[]') FROM locked) AS streams,
            (SELECT coalesce(json_agg(found), '[]')
               FROM (SELECT ${EVENT_COLUMNS} FROM ${names.events} WHERE event_id = ANY($2::text[])) AS found
            ) AS events`,
    [streamIds, eventIds],
  );
  const row = rows[0]!;
  return {
    head: Number(row.head),
    streams: new Map(row.streams.map((r) => [r.stream_id, { revision: r.revision, lastHash: r.last_hash }])),
    existing: new Map<string, StoredEvent>(row.events.map((r) => [r.event_id, toStoredEvent(r)])),
  };
}

async function insertAndNotify(client: pg.ClientBase, names: StoreNames, plan: BatchPlan): Promise<void> {
  const events = plan.newEvents;
  const col = <T>(pick: (p: (typeof events)[number]) => T): T[] => events.map(pick);
  const heads = [...plan.heads];
  const lastPosition = events[events.length - 1]!.event.globalPosition;
  await client.query(
    `WITH appended AS (
       INSERT INTO ${names.events} (${EVENT_COLUMNS})
       SELECT global_position, stream_id, stream_revision, event_id, type, schema_version, meeting_id,
              occurred_at, actor::json, correlation_id, causation_id, data::json, prev_hash, hash
       FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::int[], $7::text[],
                   $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
         AS e(global_position, stream_id, stream_revision, event_id, type, schema_version, meeting_id,
              occurred_at, actor, correlation_id, causation_id, data, prev_hash, hash)
     ), moved AS (
       INSERT INTO ${names.streams} (stream_id, revision, last_hash)
       SELECT * FROM unnest($15::text[], $16::bigint[], $17::text[])
       ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, last_hash = excluded.last_hash
     )
     SELECT pg_notify($18, $19)`,
    [
      col((p) => p.event.globalPosition),
      col((p) => p.event.streamId),
      col((p) => p.event.streamRevision),
      col((p) => p.event.eventId),
      col((p) => p.event.type),
      col((p) => p.event.schemaVersion),
      col((p) => p.event.meetingId),
      col((p) => p.event.occurredAt),
      col((p) => p.actorJson),
      col((p) => p.event.correlationId),
      col((p) => p.event.causationId),
      col((p) => p.dataJson),
      col((p) => p.event.prevHash),
      col((p) => p.event.hash),
      heads.map(([streamId]) => streamId),
      heads.map(([, head]) => head.revision),
      heads.map(([, head]) => head.lastHash),
      names.channel,
      String(lastPosition),
    ],
  );
}
