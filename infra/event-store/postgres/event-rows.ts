import type { StoredEvent } from '../../../domain/shared/envelope';

/** An events row as node-postgres returns it (bigint as text; as a number inside json_agg), json parsed. */
export interface EventRow {
  global_position: string | number;
  stream_id: string;
  stream_revision: string | number;
  event_id: string;
  type: string;
  schema_version: number;
  meeting_id: string;
  occurred_at: string;
  actor: StoredEvent['actor'];
  correlation_id: string;
  causation_id: string;
  data: unknown;
  prev_hash: string;
  hash: string;
}

export const EVENT_COLUMNS = `global_position, stream_id, stream_revision, event_id, type, schema_version,
  meeting_id, occurred_at, actor, correlation_id, causation_id, data, prev_hash, hash`;

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    streamId: row.stream_id,
    meetingId: row.meeting_id,
    // bigint columns: positions stay far below 2^53 (a million events a second for 285 years).
    streamRevision: Number(row.stream_revision),
    globalPosition: Number(row.global_position),
    occurredAt: row.occurred_at,
    actor: row.actor,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    data: row.data,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
