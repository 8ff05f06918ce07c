import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppendResult, EventStore } from '../../domain/ports/event-store';
import { RevisionConflictError, StoreUnavailableError } from '../../domain/ports/event-store';
import type { StoredEvent } from '../../domain/shared/envelope';
import { ConferError } from '../../domain/shared/errors';
import { describeEventStoreContract, newEvent } from '../../test/contracts/event-store.contract';
import { freePort } from '../../test/support/free-port';
import { startPostgres, type PostgresServer } from '../../test/support/postgres-server';
import { firstBrokenLink } from './hash-chain';
import { createPostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store';

const SLOW = 180_000;
let server: PostgresServer;
const opened: EventStore[] = [];

beforeAll(async () => {
  server = await startPostgres();
}, SLOW);
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
});
afterAll(async () => {
  await server?.stop();
});

/** A store of its own schema (an isolated history) unless one is given; closed after the test. */
async function open(options: Partial<PostgresEventStoreOptions> = {}): Promise<EventStore> {
  const store = await createPostgresEventStore({
    connectionString: server.url,
    schema: freshSchema(),
    ...options,
  });
  opened.push(store);
  return store;
}

const freshSchema = (): string => `es_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

async function sql<R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Rows written by one transaction share its xmin: the number of transactions that wrote them. */
async function transactionsThatWrote(schema: string, results: AppendResult[]): Promise<number> {
  const ids = results.flatMap((r) => r.events.map((e) => e.eventId));
  const [row] = await sql<{ n: number }>(
    `SELECT count(DISTINCT xmin::text)::int AS n FROM "${schema}".events WHERE event_id = ANY($1)`,
    [ids],
  );
  return row!.n;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

async function readEverything(store: EventStore): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: all.at(-1)?.globalPosition ?? 0, maxCount: 1000 });
    if (page.length === 0) return all;
    all.push(...page);
  }
}

describeEventStoreContract('PostgreSQL', async () =>
  createPostgresEventStore({ connectionString: server.url, poolSize: 4 }),
);

describe('PostgreSQL event store: global order under concurrent writers', () => {
  it(
    'never lets a reader skip or repeat an event while 20 nodes append at once',
    async () => {
      const schema = freshSchema();
      const reader = await open({ schema, pollMs: 25 });
      // Twenty stores: twenty writer connections whose transactions interleave on the server.
      const writers = await Promise.all(Array.from({ length: 20 }, () => open({ schema, poolSize: 2 })));

      const bySubscription: StoredEvent[] = [];
      const subscription = reader.subscribeToAll({
        after: 0,
        batchSize: 7,
        onEvents: (events) => void bySubscription.push(...events),
      });
      // A second reader that checkpoints as a naive consumer would: after the last position seen.
      const byPolling: StoredEvent[] = [];
      let writing = true;
      const poller = (async () => {
        while (writing || byPolling.at(-1)?.globalPosition !== (await reader.headPosition())) {
          const after = byPolling.at(-1)?.globalPosition ?? 0;
          byPolling.push(...(await reader.readAll({ after, maxCount: 13 })));
        }
      })();

      const streams = Array.from({ length: 40 }, () => randomUUID());
      await Promise.all(
        writers.flatMap((store) =>
          Array.from({ length: 4 }, async () => {
            for (let i = 0; i < 25; i++) {
              const id = streams[Math.floor(Math.random() * streams.length)]!;
              const count = 1 + Math.floor(Math.random() * 3);
              const events = Array.from({ length: count }, () => newEvent(id));
              await store.append(`meeting-${id}`, events, { expectedRevision: 'any' });
            }
          }),
        ),
      );
      writing = false;
      await poller;
      const all = await readEverything(reader);
      await until(() => subscription.position === all.at(-1)!.globalPosition);
      await subscription.close();

      expect(all.length).toBeGreaterThanOrEqual(20 * 4 * 25);
      const ids = all.map((e) => e.eventId);
      expect(bySubscription.map((e) => e.eventId)).toEqual(ids);
      expect(byPolling.map((e) => e.eventId)).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of streams) {
        const stream = await reader.readStream(`meeting-${id}`);
        expect(stream.map((e) => e.streamRevision)).toEqual(stream.map((_, i) => i));
        expect(firstBrokenLink(stream)).toBeNull();
      }
    },
    SLOW,
  );
});

describe('PostgreSQL event store: group commit', () => {
  it('writes appends made in the same tick in one transaction, answering each', async () => {
    const schema = freshSchema();
    const store = await open({ schema });
    const ids = Array.from({ length: 50 }, () => randomUUID());
    const results = await Promise.all(
      ids.map((id) => store.append(`meeting-${id}`, [newEvent(id)], { expectedRevision: 'no_stream' })),
    );
    expect(results.map((r) => r.nextExpectedRevision)).toEqual(ids.map(() => 0));
    expect(await transactionsThatWrote(schema, results)).toBe(1);
  });

  it('fails a stale append alone while the rest of its batch commits', async () => {
    const schema = freshSchema();
    const store = await open({ schema });
    const meeting = randomUUID();
    await store.append(`meeting-${meeting}`, [newEvent(meeting)], { expectedRevision: 'no_stream' });
    const others = Array.from({ length: 10 }, () => randomUUID());
    const outcomes = await Promise.allSettled([
      ...others.map((id) => store.append(`meeting-${id}`, [newEvent(id)], { expectedRevision: 'no_stream' })),
      store.append(`meeting-${meeting}`, [newEvent(meeting)], { expectedRevision: 'no_stream' }),
      store.append(`meeting-${meeting}`, [newEvent(meeting)], { expectedRevision: 0 }),
      store.append(`meeting-${meeting}`, [newEvent(meeting)], { expectedRevision: 0 }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      ...others.map(() => 'fulfilled'),
      'rejected',
      'fulfilled',
      'rejected',
    ]);
    const stale = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    for (const o of stale) expect(o.reason).toBeInstanceOf(RevisionConflictError);
    const committed = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    expect(await transactionsThatWrote(schema, committed)).toBe(1);
    expect(await store.readStream(`meeting-${meeting}`)).toHaveLength(2);
  });

  it('isolates an append that breaks the transaction: its batch-mates still commit', async () => {
    const store = await open();
    const good = Array.from({ length: 5 }, () => randomUUID());
    const bad = randomUUID();
    const outcomes = await Promise.allSettled([
      ...good.map((id) => store.append(`meeting-${id}`, [newEvent(id)], { expectedRevision: 'no_stream' })),
      // PostgreSQL text cannot hold a NUL character: the INSERT of the whole batch fails.
      store.append(`meeting-${bad}`, [newEvent(bad, 'Bad\u0000Type')], { expectedRevision: 'no_stream' }),
    ]);
    expect(outcomes.slice(0, 5).map((o) => o.status)).toEqual(good.map(() => 'fulfilled'));
    const failure = outcomes[5] as PromiseRejectedResult;
    expect(failure.status).toBe('rejected');
    expect(failure.reason).toBeInstanceOf(ConferError);
    expect(failure.reason).not.toBeInstanceOf(StoreUnavailableError);
    // The caller is told what happened to its change, not what the database said.
    expect((failure.reason as ConferError).code).toBe('CONFER_STORE_EVENT_REJECTED');
    expect((failure.reason as Error).message).not.toMatch(/PostgreSQL|0x00|invalid byte/i);
  });
});

describe('PostgreSQL event store: several nodes', () => {
  it('lets exactly one of two nodes create each stream', async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([open({ schema }), open({ schema })]);
    const ids = Array.from({ length: 30 }, () => randomUUID());
    const outcomes = await Promise.all(
      ids.map((id) =>
        Promise.allSettled(
          [a!, b!].map((store) =>
            store.append(`meeting-${id}`, [newEvent(id)], { expectedRevision: 'no_stream' }),
          ),
        ),
      ),
    );
    for (const pair of outcomes) {
      expect(pair.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const lost = pair.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(lost?.reason).toBeInstanceOf(RevisionConflictError);
    }
    for (const id of ids) expect(await a!.readStream(`meeting-${id}`)).toHaveLength(1);
  });

  it('answers a retry that reaches another node as the first time', async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([open({ schema }), open({ schema })]);
    const id = randomUUID();
    const events = [newEvent(id), newEvent(id)];
    const first = await a!.append(`meeting-${id}`, events, { expectedRevision: 'no_stream' });
    const retried = await b!.append(`meeting-${id}`, events, { expectedRevision: 'no_stream' });
    expect(retried).toEqual(first);
  });

  it('migrates once when several nodes start at the same moment', async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 6 }, () => open({ schema })));
    const rows = await sql<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations`);
    expect(rows.map((r) => r.version)).toEqual([1]);
    const id = randomUUID();
    await stores[0]!.append(`meeting-${id}`, [newEvent(id)], { expectedRevision: 'no_stream' });
    expect(await stores[5]!.readStream(`meeting-${id}`)).toHaveLength(1);
  });
});

describe('PostgreSQL event store: faults', () => {
  it('names the setting when PostgreSQL cannot be reached at start, hiding the password', async () => {
    const port = await freePort();
    const error = await createPostgresEventStore({
      connectionString: `postgres://confer:s3cret@127.0.0.1:${port}/confer`,
      connectTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).code).toBe('CONFER_STORE_UNAVAILABLE');
    expect((error as Error).message).toContain('EVENT_STORE_URL');
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain('s3cret');
  });

  it(
    'loses nothing acknowledged across a restart of PostgreSQL, and recovers by itself',
    async () => {
      const schema = freshSchema();
      const store = await open({ schema, connectTimeoutMs: 1000, pollMs: 200 });
      const seen: StoredEvent[] = [];
      const subscription = store.subscribeToAll({
        after: 0,
        onEvents: (events) => void seen.push(...events),
      });

      const acknowledged: StoredEvent[] = [];
      const failures: unknown[] = [];
      let restarted = false;
      let acksAfterRestart = 0;
      // Each loop is a command handler of its own: exact revisions, and on an unavailable store it
      // retries the same events (same ids), which is safe even when the lost answer was a commit.
      const loop = async (): Promise<void> => {
        const id = randomUUID();
        let revision: number | 'no_stream' = 'no_stream';
        while (!restarted || acksAfterRestart < 100) {
          const events = [newEvent(id)];
          for (;;) {
            try {
              const result = await store.append(`meeting-${id}`, events, { expectedRevision: revision });
              acknowledged.push(...result.events);
              revision = result.nextExpectedRevision;
              if (restarted) acksAfterRestart++;
              break;
            } catch (error) {
              failures.push(error);
              if (!(error instanceof StoreUnavailableError)) throw error;
              await sleep(50);
            }
          }
        }
      };
      const loops = Array.from({ length: 8 }, loop);
      await until(() => acknowledged.length >= 200);
      await server.restart();
      restarted = true;
      await Promise.all(loops);

      expect(failures.length).toBeGreaterThan(0);
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(StoreUnavailableError);
        expect((failure as StoreUnavailableError).code).toBe('CONFER_STORE_UNAVAILABLE');
      }
      const stored = await readEverything(store);
      const storedIds = new Set(stored.map((e) => e.eventId));
      expect(acknowledged.filter((e) => !storedIds.has(e.eventId))).toEqual([]);
      expect(storedIds.size).toBe(stored.length);
      const streams = new Set(acknowledged.map((e) => e.streamId));
      for (const streamId of streams) {
        const events = await store.readStream(streamId);
        expect(events.map((e) => e.eventId)).toEqual(
          acknowledged.filter((e) => e.streamId === streamId).map((e) => e.eventId),
        );
        expect(firstBrokenLink(events)).toBeNull();
      }
      // The live subscription rode out the restart: everything, once, in order.
      await until(() => subscription.position === stored.at(-1)!.globalPosition);
      expect(seen.map((e) => e.eventId)).toEqual(stored.map((e) => e.eventId));
    },
    SLOW,
  );

  it(
    'opens its LISTEN connection again when it drops, and wakes subscribers through it',
    async () => {
      const schema = freshSchema();
      const applicationName = `reader-${randomUUID().slice(0, 8)}`;
      // No fallback poll within the test's time: only a notification can wake this reader.
      const reader = await open({ schema, applicationName, pollMs: 600_000 });
      const writer = await open({ schema });
      const listenerPids = async (): Promise<number[]> =>
        (
          await sql<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
            `${applicationName}:listen`,
          ])
        ).map((r) => r.pid);
      await until(async () => (await listenerPids()).length === 1);

      const seen: string[] = [];
      const subscription = reader.subscribeToAll({
        after: 0,
        onEvents: (events) => void seen.push(...events.map((e) => e.eventId)),
      });
      const id = randomUUID();
      const first = await writer.append(`meeting-${id}`, [newEvent(id)], { expectedRevision: 'no_stream' });
      await until(() => seen.length === 1);

      const [oldPid] = await listenerPids();
      await sql('SELECT pg_terminate_backend($1)', [oldPid]);
      await until(async () => {
        const pids = await listenerPids();
        return pids.length === 1 && pids[0] !== oldPid;
      });
      const second = await writer.append(`meeting-${id}`, [newEvent(id)], { expectedRevision: 0 });
      await until(() => seen.length === 2);
      await subscription.close();
      expect(seen).toEqual([first.events[0]!.eventId, second.events[0]!.eventId]);
    },
    SLOW,
  );
});
