import { applyPendingMigrations, type Migration } from '../../postgres/apply-migrations';
import type pg from 'pg';

/** Names of the store's tables inside its schema (validated by the options, so quoting suffices). */
export interface DocsTables {
  /** The schema name itself, unquoted: seeds the advisory lock key. */
  schemaName: string;
  schema: string;
  docs: string;
  migrations: string;
}

export function docsTables(schemaName: string): DocsTables {
  return {
    schemaName,
    schema: `"${schemaName}"`,
    docs: `"${schemaName}"."docs"`,
    migrations: `"${schemaName}"."schema_migrations"`,
  };
}

/**
 * The projection store's schema, one versioned step at a time. A released step is never edited:
 * a change is a new step.
 *
 * Keys use the "C" collation (byte order of UTF-8) whatever the database's default, which is how
 * SQLite's BINARY compares: ranges and cursors page the same way on both stores. `doc` is `json`,
 * not `jsonb`: it keeps the document's text as written (key order, `\u0000`, lone surrogates,
 * all of which JSON.stringify may produce and jsonb refuses or rewrites), and nothing queries
 * inside documents.
 */
const MIGRATIONS: readonly Migration<DocsTables>[] = [
  {
    version: 1,
    description: 'docs',
    sql: (t) => `
      CREATE TABLE ${t.docs} (
        collection text COLLATE "C" NOT NULL,
        partition text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        doc json NOT NULL,
        PRIMARY KEY (collection, partition, key)
      )`,
  },
];

export const DOCS_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the schema up to date, each step in its own transaction with its bookkeeping row. A
 * session advisory lock makes nodes that start together take turns: the first migrates, the others
 * wait, then find nothing left to do (even `CREATE SCHEMA IF NOT EXISTS` can collide, so it is
 * inside the lock too). Returns the versions this call applied.
 */
export async function migrateDocsSchema(client: pg.ClientBase, tables: DocsTables): Promise<number[]> {
  const lockKey = `confer:projection-store:migrations:${tables.schemaName}`;
  // A long migration on one node makes the others wait for it, not give up.
  await client.query('SET lock_timeout = 0');
  await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockKey]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${tables.schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${tables.migrations} (
         version integer PRIMARY KEY,
         description text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${tables.migrations}`);
    const done = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...done);
    if (newest > DOCS_SCHEMA_VERSION) {
      throw new Error(
        `Projection store schema ${tables.schemaName} is at v${newest}, newer than this code (v${DOCS_SCHEMA_VERSION})`,
      );
    }
    return await applyPendingMigrations(client, MIGRATIONS, done, tables.migrations, tables);
  } finally {
    await client
      .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey])
      .catch(() => undefined);
    await client.query('RESET lock_timeout').catch(() => undefined);
  }
}
