import { applyPendingMigrations, type Migration as PgMigration } from '../../postgres/apply-migrations';
import type pg from 'pg';
import type { StoreNames } from './store-names';

export type Migration = PgMigration<StoreNames>;

/**
 * The event store's schema, one versioned step at a time. A released step is never edited: a
 * change is a new step. Each step runs in its own transaction together with its bookkeeping row.
 */
export const EVENT_STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events and streams',
    sql: (n) => `
      CREATE TABLE ${n.events} (
        global_position bigint PRIMARY KEY,
        stream_id text NOT NULL,
        stream_revision bigint NOT NULL,
        event_id text NOT NULL,
        type text NOT NULL,
        schema_version integer NOT NULL,
        meeting_id text NOT NULL,
        occurred_at text NOT NULL,
        -- json (not jsonb) keeps the exact text that was hashed, \\u0000 included.
        actor json NOT NULL,
        correlation_id text NOT NULL,
        causation_id text NOT NULL,
        data json NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        CONSTRAINT events_stream_revision_key UNIQUE (stream_id, stream_revision),
        CONSTRAINT events_event_id_key UNIQUE (event_id)
      );
      CREATE TABLE ${n.streams} (
        stream_id text PRIMARY KEY,
        revision bigint NOT NULL,
        last_hash text NOT NULL
      );`,
  },
];

/**
 * Brings the schema up to date. A session advisory lock makes nodes that start together take
 * turns: the first migrates, the others wait, then find nothing left to do. Even
 * `CREATE SCHEMA IF NOT EXISTS` is inside the lock, because two of them at once can still collide.
 * Returns the versions this call applied.
 */
export async function migrate(
  client: pg.ClientBase,
  names: StoreNames,
  migrations: readonly Migration[] = EVENT_STORE_MIGRATIONS,
): Promise<number[]> {
  // A long migration on one node makes the others wait for it, not give up.
  await client.query('SET lock_timeout = 0');
  await client.query('SELECT pg_advisory_lock($1::bigint)', [names.migrationLockKey]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${names.schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${names.migrations} (
         version integer PRIMARY KEY,
         description text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${names.migrations}`);
    const done = new Set(rows.map((r) => r.version));
    return await applyPendingMigrations(client, migrations, done, names.migrations, names);
  } finally {
    await client
      .query('SELECT pg_advisory_unlock($1::bigint)', [names.migrationLockKey])
      .catch(() => undefined);
    await client.query('RESET lock_timeout').catch(() => undefined);
  }
}
