import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectionStore } from '../domain/ports/projection-store';
import { createPostgresProjectionStore } from '../infra/projection-store/postgres-projection-store';
import { eventually } from '../test/support/eventually';
import { startPostgres, type PostgresServer } from '../test/support/postgres-server';
import { createNodeRegistry } from './node-registry';

/*
 * The registry on a real PostgreSQL store, slowed the way a busy store slows it: another
 * transaction holds the node's heartbeat row, so each heartbeat waits for its lock.
 */
let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

const schema = 'registry_test';
const clock = { now: () => new Date() };

describe('node registry', () => {
  it('keeps one heartbeat at a time waiting on a slow store, and knows a late node by its last address', async () => {
    const store = await createPostgresProjectionStore({ connectionString: server.url, schema, poolSize: 4 });
    // Counts the heartbeats begun and not yet written (the store itself queues its transactions).
    let pending = 0;
    const counted: ProjectionStore = {
      ...store,
      transaction: async (work) => {
        pending++;
        try {
          return await store.transaction(work);
        } finally {
          pending--;
        }
      },
    };
    const registry = createNodeRegistry({
      store: counted,
      clock,
      self: { nodeId: 'a', url: 'http://a.example', media: true },
      load: () => 0,
      heartbeatMs: 25,
      ttlMs: 200,
    });
    const holder = new pg.Client({ connectionString: server.url });
    await holder.connect();
    // Asked from a connection of its own, outside any transaction: within one transaction
    // PostgreSQL answers pg_stat_activity from a snapshot taken at its first look, so asking
    // inside the holder's transaction saw only whoever was waiting at that first instant.
    const observer = new pg.Client({ connectionString: server.url });
    await observer.connect();
    const waitingHeartbeats = async () =>
      Number(
        (
          await observer.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_stat_activity
              WHERE wait_event_type = 'Lock' AND query LIKE '%docs%' AND pid <> pg_backend_pid()`,
          )
        ).rows[0]?.n,
      );
    try {
      await registry.start();
      expect((await registry.live()).map((n) => n.nodeId)).toEqual(['a']);
      await holder.query('BEGIN');
      await holder.query(
        `SELECT 1 FROM "${schema}"."docs" WHERE collection = '_nodes' AND key = 'a' FOR UPDATE`,
      );
      // Twenty beats' worth of time: one of them is waiting for the lock, the others never began.
      await eventually('a heartbeat to wait for the lock', async () => (await waitingHeartbeats()) >= 1);
      await new Promise((done) => setTimeout(done, 500));
      expect(await waitingHeartbeats()).toBe(1);
      expect(pending).toBe(1);
      // Late on the registry, yet its last address is known (for the sweeper's second look).
      await eventually('the node to be past its TTL', async () => (await registry.live()).length === 0);
      expect((await registry.known()).map((n) => [n.nodeId, n.url, n.live])).toEqual([
        ['a', 'http://a.example', false],
      ]);
      await holder.query('ROLLBACK');
      // The waiting beat lands, and the node is live again.
      await eventually('the node to be live again', async () => (await registry.live()).length === 1);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
      await observer.end();
      await registry.stop();
      await store.close();
    }
  });
});
