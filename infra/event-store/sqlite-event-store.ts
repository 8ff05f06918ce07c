import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
} from '../../domain/ports/event-store';
import { RevisionConflictError, StoreUnavailableError } from '../../domain/ports/event-store';
import type { EventToAppend, StoredEvent } from '../../domain/shared/envelope';
import { startCatchUpSubscription } from './catch-up-subscription';
import { GENESIS_HASH, eventHash } from './hash-chain';
import { checkExpectedRevision } from './expected-revision';
import type { WakeSignal } from './wake-signal';

export interface SqliteEventStoreOptions {
  /** File path, or ':memory:' for tests that need no durability. */
  path: string;
  /** Most appends written in one transaction (group commit). */
  maxBatch?: number;
  pollMs?: number;
}

interface PendingAppend {
  streamId: string;
  events: readonly EventToAppend[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

interface EventRow {
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
];

/**
 * The embedded, durable event store: one SQLite file in WAL mode, fsync on every commit
 * (synchronous=FULL). Concurrent appends are grouped into one transaction per turn of the event
 * loop (group commit), and each caller is answered only after its batch is on disk.
 */
export function createSqliteEventStore(options: SqliteEventStoreOptions): EventStore {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const maxBatch = options.maxBatch ?? 1000;
  const watchers = new Set<WakeSignal>();
  let pending: PendingAppend[] = [];
  let flushScheduled = false;
  let closed = false;

  const stmt = {
    stream: db.prepare<[string], { revision: number; last_hash: string }>(
      'SELECT revision, last_hash FROM streams WHERE stream_id = ?',
    ),
    upsertStream: db.prepare(
      `INSERT INTO streams (stream_id, revision, last_hash) VALUES (?, ?, ?)
       ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, last_hash = excluded.last_hash`,
    ),
    insert: db.prepare(
      `INSERT INTO events (stream_id, stream_revision, event_id, type, schema_version, meeting_id, occurred_at,
         actor, correlation_id, causation_id, data, prev_hash, hash)
       VALUES (@stream_id, @stream_revision, @event_id, @type, @schema_version, @meeting_id, @occurred_at,
         @actor, @correlation_id, @causation_id, @data, @prev_hash, @hash)`,
    ),
    byEventId: db.prepare<[string], EventRow>('SELECT * FROM events WHERE event_id = ?'),
    readStream: db.prepare<[string, number, number], EventRow>(
      'SELECT * FROM events WHERE stream_id = ? AND stream_revision >= ? ORDER BY stream_revision LIMIT ?',
    ),
    readAll: db.prepare<[number, number], EventRow>(
      'SELECT * FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?',
    ),
    head: db.prepare<[], { head: number | null }>('SELECT MAX(global_position) AS head FROM events'),
  };

  /** Writes one append inside the batch's transaction; throws a conflict without writing. */
  function appendOne(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): AppendResult {
    const first = events[0];
    if (first) {
      const existing = stmt.byEventId.get(first.eventId);
      if (existing) return idempotentResult(streamId, events, expected);
    }
    const row = stmt.stream.get(streamId);
    const actual = row ? row.revision : -1;
    checkExpectedRevision(streamId, expected, actual);
    let prevHash = row ? row.last_hash : GENESIS_HASH;
    const stored: StoredEvent[] = [];
    events.forEach((event, i) => {
      const base = {
        eventId: event.eventId,
        type: event.type,
        schemaVersion: event.schemaVersion,
        streamId,
        meetingId: event.metadata.meetingId,
        streamRevision: actual + 1 + i,
        occurredAt: event.metadata.occurredAt,
        actor: event.metadata.actor,
        correlationId: event.metadata.correlationId,
        causationId: event.metadata.causationId,
        data: event.data,
        prevHash,
      };
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
      stored.push({ ...base, hash, globalPosition: Number(info.lastInsertRowid) });
      prevHash = hash;
    });
    const last = stored[stored.length - 1];
    if (last) stmt.upsertStream.run(streamId, last.streamRevision, last.hash);
    return {
      nextExpectedRevision: last ? last.streamRevision : actual,
      lastPosition: last ? last.globalPosition : 0,
      events: stored,
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
      throw new RevisionConflictError(streamId, expected, row ? row.revision : 'no_stream');
    }
    const stored = (rows as EventRow[]).map(toStoredEvent);
    const last = stored[stored.length - 1]!;
    return { nextExpectedRevision: last.streamRevision, lastPosition: last.globalPosition, events: stored };
  }

  const writeBatch = db.transaction((batch: PendingAppend[]) =>
    batch.map((p): { ok: AppendResult } | { error: unknown } => {
      try {
        return { ok: appendOne(p.streamId, p.events, p.expected) };
      } catch (error) {
        if (error instanceof RevisionConflictError) return { error };
        throw error;
      }
    }),
  );

  function flush(): void {
    flushScheduled = false;
    while (pending.length > 0) {
      const batch = pending.length > maxBatch ? pending.splice(0, maxBatch) : pending;
      if (batch === pending) pending = [];
      let outcomes: ({ ok: AppendResult } | { error: unknown })[];
      try {
        outcomes = writeBatch(batch);
      } catch (error) {
        const failure = new StoreUnavailableError(`SQLite append failed: ${(error as Error).message}`, error);
        for (const p of batch) p.reject(failure);
        continue;
      }
      batch.forEach((p, i) => {
        const outcome = outcomes[i]!;
        if ('ok' in outcome) p.resolve(outcome.ok);
        else p.reject(outcome.error);
      });
      for (const w of watchers) w.notify();
    }
  }

  function readAllSync({ after, maxCount }: ReadAllOptions): StoredEvent[] {
    return stmt.readAll.all(after, maxCount).map(toStoredEvent);
  }

  return {
    append(streamId, events, { expectedRevision }) {
      if (closed) return Promise.reject(new StoreUnavailableError('Event store is closed'));
      return new Promise<AppendResult>((resolve, reject) => {
        pending.push({ streamId, events, expected: expectedRevision, resolve, reject });
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      });
    },

    async readStream(streamId: string, opts: ReadStreamOptions = {}) {
      return stmt.readStream
        .all(streamId, opts.fromRevision ?? 0, opts.maxCount ?? Number.MAX_SAFE_INTEGER)
        .map(toStoredEvent);
    },

    async readAll(opts: ReadAllOptions) {
      return readAllSync(opts);
    },

    subscribeToAll(opts: SubscribeOptions) {
      return startCatchUpSubscription(
        {
          readAll: async (o) => readAllSync(o),
          watch: (signal) => {
            watchers.add(signal);
            return () => watchers.delete(signal);
          },
          pollMs: options.pollMs ?? 1000,
        },
        opts,
      );
    },

    async headPosition() {
      return stmt.head.get()?.head ?? 0;
    },

    async close() {
      if (closed) return;
      flush();
      closed = true;
      db.close();
    },
  };
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

function toStoredEvent(row: EventRow): StoredEvent {
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
