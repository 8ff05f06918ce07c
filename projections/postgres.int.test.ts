import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../domain/ports/event-store';
import type { ProjectionStore } from '../domain/ports/projection-store';
import type { StoredEvent } from '../domain/shared/envelope';
import { createSqliteEventStore } from '../infra/event-store/sqlite-event-store';
import { createPostgresProjectionStore } from '../infra/projection-store/postgres-projection-store';
import { startPostgres, type PostgresServer } from '../test/support/postgres-server';
import { chatHistoryProjection } from './chat-history/chat-history.projection';
import { allProjections } from './index';
import { createProjectionRunner, type Projection, type ProjectionRunner } from './projection';
import { busyMorning, dumpReadModels, projectionSpecWorld } from './projection.spec-helper';

/**
 * The projection runner on PostgreSQL when PostgreSQL fails under it, and when several nodes
 * project into one database at once. (The projection specs themselves run on PostgreSQL too: each
 * spec file runs against every projection store adapter.)
 */
const dir = mkdtempSync(joinPath(tmpdir(), 'confer-pg-projections-'));
let server: PostgresServer;
let events: StoredEvent[];
beforeAll(async () => {
  server = await startPostgres();
  const world = projectionSpecWorld({
    events: createSqliteEventStore({ path: joinPath(dir, 'events.db') }),
    store: await openStore(),
  });
  await busyMorning(world);
  events = await world.history();
  await world.close();
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});
const closing: ProjectionStore[] = [];
afterEach(async () => {
  // A store whose server went away may fail to close cleanly: that is not what these tests check.
  await Promise.all(closing.splice(0).map((s) => s.close().catch(() => undefined)));
});

async function openStore(schema = `read_${randomUUID().replaceAll('-', '')}`): Promise<ProjectionStore> {
  const store = await createPostgresProjectionStore({ connectionString: server.url, schema, poolSize: 3 });
  closing.push(store);
  return store;
}

/** The read model (checkpoints included) that handling the first `count` events once gives. */
async function referenceDump(count = events.length) {
  const store = await openStore();
  await createProjectionRunner({ store, projections: allProjections() }).handle(events.slice(0, count));
  return dumpReadModels(store);
}

/** Handles a batch, and again while the store says "retry later", as the bus consumer does. */
async function handleWithRetries(runner: ProjectionRunner, batch: StoredEvent[], failures: unknown[]) {
  for (;;) {
    try {
      return await runner.handle(batch);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      failures.push(error);
      await sleep(20);
    }
  }
}

/** Chat history that stops in the middle of applying the event at `position`, until released. */
function pausing(inner: Projection, position: number) {
  let reached!: () => void;
  let release!: () => void;
  const paused = new Promise<void>((r) => (reached = r));
  const released = new Promise<void>((r) => (release = r));
  const projection: Projection = {
    ...inner,
    async apply(event, tx) {
      if (event.globalPosition === position) {
        reached();
        await released;
      }
      await inner.apply(event, tx);
    },
  };
  return { projection, paused, release };
}

describe('projections on PostgreSQL: PostgreSQL restarted under the runner', () => {
  it('rolls back whole a batch in flight during the restart, then applies it once', async () => {
    const store = await openStore();
    const stopAt = events[15]!.globalPosition;
    const { projection, paused, release } = pausing(chatHistoryProjection(), stopAt);
    const projections = allProjections().map((p) => (p.name === projection.name ? projection : p));
    const runner = createProjectionRunner({ store, projections });
    await runner.handle(events.slice(0, 10));

    // Events 10…14 are written in the open transaction when PostgreSQL restarts under it.
    const inFlight = runner.handle(events.slice(10)).catch((e: unknown) => e);
    await paused;
    await server.restart();
    release();
    const error = await inFlight;
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain('PROJECTION_STORE_URL=');

    // Nothing of the batch is left: checkpoints and data are those of the first ten events.
    expect(await dumpReadModels(store)).toEqual(await referenceDump(10));

    // Redelivered once PostgreSQL is back: applied exactly once.
    await runner.handle(events.slice(10));
    expect(await dumpReadModels(store)).toEqual(await referenceDump());
  }, 60_000);

  it('rejects with StoreUnavailableError while PostgreSQL is down, and resumes once it is back', async () => {
    const store = await openStore();
    const runner = createProjectionRunner({ store, projections: allProjections() });
    await runner.handle(events.slice(0, 10));

    await server.shutdown('fast');
    try {
      for (const batch of [events.slice(10, 12), events.slice(10)]) {
        const error = await runner.handle(batch).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect((error as Error).message).toMatch(/PROJECTION_STORE_URL=postgres:.*ECONNREFUSED/);
      }
      await expect(runner.waitFor('review', 0, 100)).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await server.start();
    }

    expect(await dumpReadModels(store)).toEqual(await referenceDump(10));
    await runner.handle(events.slice(8)); // redelivery overlapping what was applied before the outage
    expect(await dumpReadModels(store)).toEqual(await referenceDump());
  }, 60_000);

  it('ends, across a restart, in the read model of every event applied once (no double counting)', async () => {
    const store = await openStore();
    const runner = createProjectionRunner({ store, projections: allProjections() });
    const failures: unknown[] = [];
    let restarted = false;
    const restart = server.restart().then(() => (restarted = true));

    // Small batches, each retried until it is applied; once every event is in, redeliveries of the
    // last ones keep the runner busy until PostgreSQL is back.
    let next = 0;
    while (next < events.length || !restarted) {
      const batch = next < events.length ? events.slice(next, next + 2) : events.slice(-3);
      await handleWithRetries(runner, batch, failures);
      next = Math.min(events.length, next + 2);
    }
    await restart;

    expect(failures.length).toBeGreaterThan(0); // the restart did happen under the runner
    expect(failures.every((f) => f instanceof StoreUnavailableError)).toBe(true);
    expect(await dumpReadModels(store)).toEqual(await referenceDump());
  }, 60_000);
});

describe('projections on PostgreSQL: several nodes sharing one database', () => {
  it('gives the read model of one node when two nodes project different meetings at once', async () => {
    const schema = `read_${randomUUID().replaceAll('-', '')}`;
    const nodes = [await openStore(schema), await openStore(schema)].map((store) =>
      createProjectionRunner({ store, projections: allProjections() }),
    );
    // As Kafka assigns partitions: each meeting to one node, in order; every batch of both nodes
    // also updates the same `_positions` documents.
    const meetings = [...new Set(events.map((e) => e.meetingId))];
    const failures: unknown[] = [];
    await Promise.all(
      nodes.map(async (node, n) => {
        const own = events.filter((e) => meetings.indexOf(e.meetingId) % nodes.length === n);
        for (let at = 0; at < own.length; at += 2) {
          await handleWithRetries(node, own.slice(at, at + 2), failures);
        }
      }),
    );
    expect(await dumpReadModels(await openStore(schema))).toEqual(await referenceDump());
  }, 60_000);
});
