import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../domain/ports/event-store';
import type { ProjectionStore } from '../../domain/ports/projection-store';
import { describeProjectionStoreContract } from '../../test/contracts/projection-store.contract';
import { freePort } from '../../test/support/free-port';
import { startPostgres, type PostgresServer } from '../../test/support/postgres-server';
import { DOCS_SCHEMA_VERSION } from './postgres/migrations';
import { createPostgresProjectionStore } from './postgres-projection-store';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

/** A schema of its own: a database nobody else has written to. */
const freshSchema = () => `ps_${randomUUID().replaceAll('-', '')}`;

async function sql<R extends pg.QueryResultRow>(text: string, values: unknown[] = [], url = server.url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

// One schema for the whole contract: it isolates its tests by collection and partition names.
describeProjectionStoreContract('PostgreSQL', () =>
  createPostgresProjectionStore({ connectionString: server.url, schema: 'contract' }),
);

describe('PostgreSQL projection store', () => {
  const open = (schema: string, url = server.url) =>
    createPostgresProjectionStore({ connectionString: url, schema, poolSize: 4 });

  it('keeps committed documents across a close and reopen', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    await store.transaction((tx) => tx.put('c', 'p', 'k', { n: 1 }));
    await store.close();
    const reopened = await open(schema);
    expect(await reopened.get('c', 'p', 'k')).toEqual({ n: 1 });
    await reopened.close();
  });

  it('migrates a schema exactly once when several nodes start on it at the same time', async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 6 }, () => open(schema)));
    await Promise.all(stores.map((s, i) => s.transaction((tx) => tx.put('c', 'p', `k${i}`, { i }))));
    expect(await stores[0]!.scan('c', { limit: 10 })).toHaveLength(6);
    await Promise.all(stores.map((s) => s.close()));
    const versions = await sql<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations`);
    expect(versions).toEqual([{ version: DOCS_SCHEMA_VERSION }]);
  });

  it('refuses a schema migrated by a newer version of the code', async () => {
    const schema = freshSchema();
    await (await open(schema)).close();
    await sql(`INSERT INTO "${schema}".schema_migrations (version, description) VALUES ($1, 'future')`, [
      DOCS_SCHEMA_VERSION + 1,
    ]);
    await expect(open(schema)).rejects.toThrow(/newer than this code/);
  });

  it('orders keys byte-wise, as SQLite does, even where the database collates otherwise', async () => {
    const database = `icu_${randomUUID().replaceAll('-', '')}`;
    await sql(
      `CREATE DATABASE ${database} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'`,
    );
    // The database itself sorts these the human way: B after b, _x first.
    const natural = await sql<{ k: string }>(
      `SELECT k FROM unnest(ARRAY['b', 'B', '_x', 'a-c', 'ab', 'a']) AS k ORDER BY k`,
      [],
      server.urlFor(database),
    );
    expect(natural.map((r) => r.k)).toEqual(['_x', 'a', 'a-c', 'ab', 'b', 'B']);

    const store = await open(freshSchema(), server.urlFor(database));
    await store.transaction(async (tx) => {
      for (const key of ['b', 'B', '_x', 'a-c', 'ab', 'a']) await tx.put('c', 'p', key, { key });
    });
    const keys = async (order: 'asc' | 'desc', cursor?: string) =>
      (await store.range('c', 'p', { limit: 10, order, ...(cursor === undefined ? {} : { cursor }) })).map(
        (e) => e.key,
      );
    expect(await keys('asc')).toEqual(['B', '_x', 'a', 'a-c', 'ab', 'b']);
    expect(await keys('desc')).toEqual(['b', 'ab', 'a-c', 'a', '_x', 'B']);
    expect(await keys('asc', 'Z')).toEqual(['_x', 'a', 'a-c', 'ab', 'b']);
    expect((await store.scan('c', { limit: 2, cursor: 'B' })).map((e) => e.key)).toEqual(['_x', 'a']);
    await store.close();
  });

  it('gives back a document exactly as written: key order, \\u0000 and lone surrogates included', async () => {
    const store = await open(freshSchema());
    const doc = { zeta: 1, alpha: 'nul \u0000 here', lone: 'x\ud800y', nested: { b: [2, 1], a: null } };
    await store.transaction((tx) => tx.put('c', 'p', 'k', doc));
    const read = await store.get('c', 'p', 'k');
    expect(JSON.stringify(read)).toBe(JSON.stringify(doc));
    await store.close();
  });

  it('lets a second node on the same schema read what the first committed, and write over it', async () => {
    const schema = freshSchema();
    const a = await open(schema);
    const b = await open(schema);
    await a.transaction((tx) => tx.put('c', 'p', 'k', { from: 'a' }));
    expect(await b.get('c', 'p', 'k')).toEqual({ from: 'a' });
    await b.transaction((tx) => tx.put('c', 'p', 'k', { from: 'b' }));
    expect(await a.get('c', 'p', 'k')).toEqual({ from: 'b' });
    await a.close();
    await b.close();
  });

  describe('two nodes reading to modify the same documents at once', () => {
    /** Read, yield (so the other node runs), write: a lost update shows as a missing increment. */
    const increment = (store: ProjectionStore, key: string) =>
      store.transaction(async (tx) => {
        const doc = await tx.get<{ n: number }>('counters', '', key);
        await new Promise((r) => setTimeout(r, 1));
        await tx.put('counters', '', key, { n: (doc?.n ?? 0) + 1 });
      });

    /** Retries what the store says is worth retrying, as a projection runner's caller does. */
    async function withRetries(work: () => Promise<void>, retried: { count: number }): Promise<void> {
      for (;;) {
        try {
          return await work();
        } catch (error) {
          if (!(error instanceof StoreUnavailableError)) throw error;
          retried.count++;
        }
      }
    }

    it('loses no update of a document that exists (it is locked while read for update)', async () => {
      const schema = freshSchema();
      const [a, b] = [await open(schema), await open(schema)];
      await a.transaction((tx) => tx.put('counters', '', 'hot', { n: 0 }));
      const retried = { count: 0 };
      await Promise.all(
        [a, b].flatMap((node) =>
          Array.from({ length: 20 }, () => withRetries(() => increment(node, 'hot'), retried)),
        ),
      );
      expect(await a.get('counters', '', 'hot')).toEqual({ n: 40 });
      expect(retried.count).toBe(0); // existing rows wait for each other; nothing fails
      await a.close();
      await b.close();
    });

    it('loses no update of a document both create: the later creator fails with a retryable error', async () => {
      const schema = freshSchema();
      const [a, b] = [await open(schema), await open(schema)];
      const retried = { count: 0 };
      const keys = Array.from({ length: 10 }, (_, i) => `new-${i}`);
      await Promise.all(
        [a, b].flatMap((node) => keys.map((key) => withRetries(() => increment(node, key), retried))),
      );
      for (const key of keys) expect(await a.get('counters', '', key)).toEqual({ n: 2 });
      expect(retried.count).toBeGreaterThan(0);
      await a.close();
      await b.close();
    });
  });

  it('finishes queued transactions on close, then refuses new work with the port error', async () => {
    const store = await open(freshSchema());
    const queued = store.transaction((tx) => tx.put('c', 'p', 'k', { n: 1 }));
    await store.close();
    await queued;
    await expect(store.transaction(async () => undefined)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.get('c', 'p', 'k')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('refuses a transaction handle used after its transaction ended', async () => {
    const store = await open(freshSchema());
    const leaked = await store.transaction(async (tx) => tx);
    await expect(leaked.put('c', 'p', 'k', { n: 1 })).rejects.toThrow(/already ended/);
    expect(await store.get('c', 'p', 'k')).toBeUndefined();
    await store.close();
  });

  it('does not commit a transaction whose work carried on after one of its statements failed', async () => {
    const store = await open(freshSchema());
    const outcome = await store
      .transaction(async (tx) => {
        await tx.put('c', 'p', 'before', { n: 1 });
        // PostgreSQL text cannot hold NUL: this statement fails, and the transaction with it.
        const failed = await tx.get('c', 'p', 'nul\u0000key').catch((e: unknown) => e);
        expect(failed).toBeInstanceOf(Error);
        expect(failed).not.toBeInstanceOf(StoreUnavailableError); // a bad request, not an outage
      })
      .catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(Error);
    // Refused at the commit, or when the held writes meet the aborted transaction before it.
    expect(String(outcome)).toMatch(/rolled back|transaction is aborted/);
    expect(await store.get('c', 'p', 'before')).toBeUndefined();
    await store.close();
  });

  it('sends a transaction’s writes at commit, all or none: a bad one fails the whole transaction', async () => {
    const store = await open(freshSchema());
    await store.transaction((tx) => tx.put('c', 'p', 'kept', { n: 0 }));
    const outcome = await store
      .transaction(async (tx) => {
        await tx.put('c', 'p', 'kept', { n: 1 });
        await tx.put('c', 'p', 'new', { n: 1 });
        await tx.delete('c', 'p', 'kept');
        await tx.put('c', 'p', 'kept', { n: 2 });
        // Writes wait for the commit, and the transaction reads its own.
        expect(await tx.get('c', 'p', 'kept')).toEqual({ n: 2 });
        await tx.put('c', 'p', 'nul\u0000key', { n: 3 });
      })
      .catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(Error);
    expect(outcome).not.toBeInstanceOf(StoreUnavailableError);
    expect(await store.get('c', 'p', 'kept')).toEqual({ n: 0 });
    expect(await store.get('c', 'p', 'new')).toBeUndefined();
    // The same writes without the bad one: each document ends as the transaction left it.
    await store.transaction(async (tx) => {
      await tx.put('c', 'p', 'kept', { n: 1 });
      await tx.put('c', 'p', 'new', { n: 1 });
      await tx.delete('c', 'p', 'kept');
      await tx.put('c', 'p', 'kept', { n: 2 });
      await tx.put('c', 'p', 'gone', { n: 1 });
      await tx.delete('c', 'p', 'gone');
    });
    expect(await store.get('c', 'p', 'kept')).toEqual({ n: 2 });
    expect(await store.get('c', 'p', 'new')).toEqual({ n: 1 });
    expect(await store.get('c', 'p', 'gone')).toBeUndefined();
    await store.close();
  });

  it('fails a transaction whose connection is killed with the port error, applies none of it, and goes on', async () => {
    const store = await open(freshSchema());
    const outcome = await store
      .transaction(async (tx) => {
        await tx.put('c', 'p', 'k', { n: 1 });
        await sql(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE application_name = 'confer-projections' AND state LIKE 'idle in transaction%'`,
        );
        await tx.put('c', 'p', 'k2', { n: 2 });
      })
      .catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(StoreUnavailableError);
    expect(String((outcome as Error).message)).toContain('PROJECTION_STORE_URL=');
    expect(await store.get('c', 'p', 'k')).toBeUndefined();
    await store.transaction((tx) => tx.put('c', 'p', 'k', { n: 3 }));
    expect(await store.get('c', 'p', 'k')).toEqual({ n: 3 });
    await store.close();
  });

  it('cannot start where nothing listens: the port error names the setting, not the password', async () => {
    const port = await freePort('127.0.0.1');
    const error = await createPostgresProjectionStore({
      connectionString: `postgres://confer:s3cret@127.0.0.1:${port}/confer`,
      connectTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain(
      `PROJECTION_STORE_URL=postgres://confer:***@127.0.0.1:${port}/confer`,
    );
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('cannot start on a database that does not exist: a configuration error naming the setting', async () => {
    const error = await open(freshSchema(), server.urlFor('no_such_database')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/PROJECTION_STORE_URL=.*no_such_database.*does not exist/);
  });

  it('answers with the port error while PostgreSQL is down, and works again once it is back', async () => {
    const store = await open(freshSchema());
    await store.transaction((tx) => tx.put('c', 'p', 'k', { n: 1 }));
    await server.shutdown('fast');
    try {
      const read = await store.get('c', 'p', 'k').catch((e: unknown) => e);
      const write = await store.transaction((tx) => tx.put('c', 'p', 'k', { n: 2 })).catch((e: unknown) => e);
      for (const error of [read, write]) {
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect((error as Error).message).toContain('PROJECTION_STORE_URL=');
      }
    } finally {
      await server.start();
    }
    expect(await store.get('c', 'p', 'k')).toEqual({ n: 1 });
    await store.transaction((tx) => tx.put('c', 'p', 'k', { n: 2 }));
    expect(await store.get('c', 'p', 'k')).toEqual({ n: 2 });
    await store.close();
  });
});
