import type Database from 'better-sqlite3';
import type { StoredEvent } from '../../../domain/shared/envelope';

export interface EventRow {
  global_position: number;
  stream_id: string;
  stream_revision: number;
  event_id: string;
  type: string;
  schema_version: number;
  meeting_id: string;
  occurred_at: string;
  actor: string;
  correlation_id: string;
  causation_id: string;
  data: string;
  prev_hash: string;
  hash: string;
}

/** Versioned schema steps (PRAGMA user_version); never edit a released step, add one. */
const MIGRATIONS: string[] = [
  `CREATE TABLE events (
     global_position INTEGER PRIMARY KEY,
     stream_id TEXT NOT NULL,
     stream_revision INTEGER NOT NULL,
     event_id TEXT NOT NULL,
     type TEXT NOT NULL,
     schema_version INTEGER NOT NULL,
     meeting_id TEXT NOT NULL,
     occurred_at TEXT NOT NULL,
     actor TEXT NOT NULL,
     correlation_id TEXT NOT NULL,
     causation_id TEXT NOT NULL,
     data TEXT NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   );
   CREATE UNIQUE INDEX events_by_stream ON events (stream_id, stream_revision);
   CREATE UNIQUE INDEX events_by_id ON events (event_id);
   CREATE TABLE streams (
     stream_id TEXT PRIMARY KEY,
     revision INTEGER NOT NULL,
     last_hash TEXT NOT NULL
   ) WITHOUT ROWID;`,
  // A stream's revision and last hash are its last event's, found through events_by_stream: the
  // row rewritten at every append cost a random page in every commit (18.0 → 13.8 KiB written an
  // append under load, docs/capacity.md, twenty-ninth session).
  `DROP TABLE streams;`,
];

export function migrate(db: Database.Database): void {
  // BEGIN IMMEDIATE: a second process opening the same file waits instead of migrating twice.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length)
      throw new Error(`events.db has schema v${version}, newer than this code`);
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    streamId: row.stream_id,
    meetingId: row.meeting_id,
    streamRevision: row.stream_revision,
    globalPosition: row.global_position,
    occurredAt: row.occurred_at,
    actor: JSON.parse(row.actor) as StoredEvent['actor'],
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    data: JSON.parse(row.data) as unknown,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
