import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { StoreUnavailableError } from '../domain/ports/event-store';
import type { ProjectionStore } from '../domain/ports/projection-store';
import type { StoredEvent } from '../domain/shared/envelope';
import { createSqliteEventStore } from '../infra/event-store/sqlite-event-store';
import { createSqliteProjectionStore } from '../infra/projection-store/sqlite-projection-store';
import {
  projectionStoreBackends,
  type ProjectionStoreBackend,
} from '../test/support/projection-store-backends';
import { LEGACY_CHECKPOINTS, MEETING_CHECKPOINTS, POSITIONS, READ_MODELS_GROUP } from './checkpoints';
import { getMeeting } from './meeting-directory/meeting-directory.queries';
import { allProjections } from './index';
import {
  createProjectionRunner,
  ProjectionFailedError,
  type Projection,
  type ProjectionLogger,
} from './projection';
import { busyMorning, dumpReadModels, projectionSpecWorld, storedEvent } from './projection.spec-helper';
import { chatHistoryProjection } from './chat-history/chat-history.projection';

const dir = mkdtempSync(joinPath(tmpdir(), 'confer-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((c) => c.close()));
});

const backends = projectionStoreBackends();

/** A store of the backend under test; stores opened with the same `shared` name share one database. */
async function projectionStore(backend: ProjectionStoreBackend, shared?: string): Promise<ProjectionStore> {
  const store = await backend.open(shared);
  closing.push(store);
  return store;
}

/** The events of a busy morning, appended through the real decider into a real event store. */
let morning: StoredEvent[] | undefined;
async function busyMorningEvents(): Promise<StoredEvent[]> {
  if (!morning) {
    const id = randomUUID();
    const world = projectionSpecWorld({
      events: createSqliteEventStore({ path: joinPath(dir, `${id}.events.db`) }),
      store: createSqliteProjectionStore({ path: joinPath(dir, `${id}.read.db`) }),
    });
    await busyMorning(world);
    morning = await world.history();
    await world.close();
  }
  return morning;
}

/** The read model that handling every event once, in one batch, gives: the reference. */
async function referenceDump(backend: ProjectionStoreBackend, events: StoredEvent[]) {
  const store = await projectionStore(backend);
  await createProjectionRunner({ store, projections: allProjections() }).handle(events);
  return dumpReadModels(store);
}

/** Wraps a projection so that it throws on the event at `failAt` while the fault is on. */
function faulty(inner: Projection) {
  const fault = { failAt: undefined as number | undefined };
  const projection: Projection = {
    ...inner,
    async apply(event, tx) {
      await inner.apply(event, tx);
      if (event.globalPosition === fault.failAt) throw new Error(`disk on fire at ${event.globalPosition}`);
    },
  };
  return { projection, fault };
}

function recordingLogger() {
  const lines: { level: 'warn' | 'error'; details: object; message: string }[] = [];
  const logger: ProjectionLogger = {
    warn: (details, message) => void lines.push({ level: 'warn', details, message }),
    error: (details, message) => void lines.push({ level: 'error', details, message }),
  };
  return { logger, lines };
}

describe.each(backends)('projection runner: idempotency on $name', (backend) => {
  it('gives the same read model when a batch is handled twice (no double counting)', async () => {
    const events = await busyMorningEvents();
    const store = await projectionStore(backend);
    const runner = createProjectionRunner({ store, projections: allProjections() });
    await runner.handle(events);
    await runner.handle(events);
    expect(await dumpReadModels(store)).toEqual(await referenceDump(backend, events));
    expect(await getMeeting(store, 'review')).toMatchObject({ chatCount: 5, participantCount: 2 });
  });

  it('gives the same read model from overlapping and redelivered batches', async () => {
    const events = await busyMorningEvents();
    const store = await projectionStore(backend);
    const runner = createProjectionRunner({ store, projections: allProjections() });
    await runner.handle(events.slice(0, 12));
    await runner.handle(events.slice(5, 25));
    await runner.handle(events.slice(0, 3)); // a stale redelivery
    await runner.handle(events.slice(20));
    await runner.handle(events.slice(-1));
    expect(await dumpReadModels(store)).toEqual(await referenceDump(backend, events));
  });

  it('gives the same read model when events arrive one by one', async () => {
    const events = await busyMorningEvents();
    const store = await projectionStore(backend);
    const runner = createProjectionRunner({ store, projections: allProjections() });
    for (const event of events) await runner.handle([event]);
    expect(await dumpReadModels(store)).toEqual(await referenceDump(backend, events));
  });

  it('checkpoints each meeting per projection, and the highest position per projection', async () => {
    const events = await busyMorningEvents();
    const store = await projectionStore(backend);
    await createProjectionRunner({ store, projections: allProjections() }).handle(events);
    const lastOfReview = events.filter((e) => e.meetingId === 'review').at(-1)!;
    const review = await store.get(MEETING_CHECKPOINTS, READ_MODELS_GROUP, 'review');
    for (const name of ['meeting-directory', 'roster', 'chat-history']) {
      expect(review?.[name]).toEqual({
        revision: lastOfReview.streamRevision,
        position: lastOfReview.globalPosition,
      });
      expect(await store.get(POSITIONS, '', name)).toEqual({
        position: events.at(-1)!.globalPosition,
        version: allProjections().find((p) => p.name === name)!.version,
      });
    }
  });

  it('reads one checkpoint document per meeting for all its projections, and writes it once a batch', async () => {
    const store = await projectionStore(backend);
    const events = await busyMorningEvents();
    await createProjectionRunner({ store, projections: allProjections() }).handle(events);
    const meetings = new Set(events.map((e) => e.meetingId));
    const docs = await store.scan(MEETING_CHECKPOINTS, { limit: 100 });
    expect(docs).toHaveLength(meetings.size);
    // One entry per projection of the group, and none of them in the old per-projection layout.
    for (const { doc } of docs)
      expect(Object.keys(doc).sort()).toEqual(
        allProjections()
          .map((p) => p.name)
          .sort(),
      );
    expect(await store.scan(LEGACY_CHECKPOINTS, { limit: 1 })).toEqual([]);
  });

  it('calls finish once a batch, after every apply, inside the batch’s transaction', async () => {
    const store = await projectionStore(backend);
    const events = (await busyMorningEvents()).slice(0, 12);
    const calls: string[] = [];
    // Counts its events, and writes the count once a batch, in `finish`.
    let seen = 0;
    const counting: Projection = {
      name: 'counting',
      version: 1,
      collections: ['counting'],
      async apply(event) {
        seen++;
        calls.push(`apply ${event.globalPosition}`);
      },
      async finish(tx) {
        calls.push('finish');
        await tx.put('counting', '', 'total', { seen });
      },
    };
    const runner = createProjectionRunner({ store, projections: [counting] });
    await runner.handle(events.slice(0, 8));
    await runner.handle(events.slice(4)); // overlapping: 4 already applied, 4 new
    expect(calls).toEqual([
      ...events.slice(0, 8).map((e) => `apply ${e.globalPosition}`),
      'finish',
      ...events.slice(8).map((e) => `apply ${e.globalPosition}`),
      'finish',
    ]);
    expect(await store.get('counting', '', 'total')).toEqual({ seen: 12 });
  });

  it('honours checkpoints a store kept in the old per-projection layout, and moves them over', async () => {
    const events = await busyMorningEvents();
    const reviewEvents = events.filter((e) => e.meetingId === 'review');
    const applied = reviewEvents[reviewEvents.length - 3]!;
    const store = await projectionStore(backend);
    // An older version applied the chat history up to `applied` and kept its checkpoint its way.
    await createProjectionRunner({ store, projections: [chatHistoryProjection()] }).handle(
      reviewEvents.filter((e) => e.streamRevision <= applied.streamRevision),
    );
    await store.transaction(async (tx) => {
      await tx.delete(MEETING_CHECKPOINTS, READ_MODELS_GROUP, 'review');
      await tx.put(LEGACY_CHECKPOINTS, 'chat-history', 'review', {
        revision: applied.streamRevision,
        position: applied.globalPosition,
      });
    });
    const tamper = (e: StoredEvent): StoredEvent =>
      e.type === 'ChatMessageSent' ? { ...e, data: { ...(e.data as object), content: 'applied twice' } } : e;
    // Redelivered from the start, old events altered: the legacy checkpoint must keep them out.
    await createProjectionRunner({ store, projections: [chatHistoryProjection()] }).handle(
      reviewEvents.map(tamper),
    );
    const chat = await store.range('chat', 'review', { limit: 100, order: 'asc' });
    const before = chat.filter((d) => Number(d.doc['seq']) <= applied.streamRevision);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((d) => d.doc['content'] !== 'applied twice')).toBe(true);
    expect((await store.get(MEETING_CHECKPOINTS, READ_MODELS_GROUP, 'review'))?.['chat-history']).toEqual({
      revision: reviewEvents.at(-1)!.streamRevision,
      position: reviewEvents.at(-1)!.globalPosition,
    });
  });

  it('skips an event already applied even when its batch also holds new ones', async () => {
    const store = await projectionStore(backend);
    const runner = createProjectionRunner({ store, projections: [chatHistoryProjection()] });
    const chat = (revision: number, content: string) =>
      storedEvent({
        meetingId: 'm1',
        streamRevision: revision,
        globalPosition: revision + 1,
        type: 'ChatMessageSent',
        data: { messageId: `msg-${revision}`, senderId: 'ann', senderName: 'Ann', content },
      });
    await runner.handle([chat(0, 'first')]);
    // Same revision, other content: a duplicate by revision must not overwrite what was applied.
    await runner.handle([chat(0, 'tampered'), chat(1, 'second')]);
    const docs = await store.range('chat', 'm1', { limit: 10, order: 'asc' });
    expect(docs.map((d) => d.doc['content'])).toEqual(['first', 'second']);
  });
});

describe.each(backends)('projection runner: a projection that fails on $name', (backend) => {
  it('rolls the whole batch back, checkpoints included, and rejects with where it failed', async () => {
    const events = await busyMorningEvents();
    const { projection, fault } = faulty(chatHistoryProjection());
    const projections = allProjections().map((p) => (p.name === projection.name ? projection : p));
    const store = await projectionStore(backend);
    const { logger, lines } = recordingLogger();
    const runner = createProjectionRunner({ store, projections, logger });

    await runner.handle(events.slice(0, 10));
    const before = await dumpReadModels(store);
    const nth = events[15]!;
    fault.failAt = nth.globalPosition;

    const error = await runner.handle(events.slice(10)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectionFailedError);
    expect(error).toMatchObject({ projection: 'chat-history', event: { eventId: nth.eventId } });
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(await dumpReadModels(store)).toEqual(before);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);

    // The fault is fixed: the same batch again gives exactly the right read model.
    fault.failAt = undefined;
    await runner.handle(events.slice(10));
    expect(await dumpReadModels(store)).toEqual(await referenceDump(backend, events));
  });

  it('rolls the batch back when a projection’s finish throws, naming the projection', async () => {
    const events = await busyMorningEvents();
    const store = await projectionStore(backend);
    const failing: Projection = {
      ...chatHistoryProjection(),
      async finish() {
        throw new Error('head lost');
      },
    };
    const runner = createProjectionRunner({ store, projections: [failing] });
    const error = await runner.handle(events).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectionFailedError);
    expect(error).toMatchObject({ projection: 'chat-history', event: { eventId: events.at(-1)!.eventId } });
    expect(await dumpReadModels(store)).toEqual(await dumpReadModels(await projectionStore(backend)));
  });

  it('rejects an event it cannot parse (a newer schema) without applying anything of the batch', async () => {
    const store = await projectionStore(backend);
    const runner = createProjectionRunner({ store, projections: allProjections() });
    const events = await busyMorningEvents();
    const poisoned = { ...events[1]!, schemaVersion: 99 };
    await expect(runner.handle([events[0]!, poisoned])).rejects.toBeInstanceOf(ProjectionFailedError);
    expect(await dumpReadModels(store)).toEqual([]);
  });
  it('passes the store’s retryable error through unwrapped, so the caller can retry', async () => {
    const events = await busyMorningEvents();
    const store = await backend.open();
    await store.close();
    const runner = createProjectionRunner({ store, projections: allProjections() });
    await expect(runner.handle(events)).rejects.toBeInstanceOf(StoreUnavailableError);

    const flaky: Projection = {
      name: 'flaky',
      version: 1,
      collections: ['flaky'],
      apply: () => Promise.reject(new StoreUnavailableError('connection reset')),
    };
    const withFlaky = createProjectionRunner({ store: await projectionStore(backend), projections: [flaky] });
    await expect(withFlaky.handle(events)).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe.each(backends)('projection runner: gaps and validation on $name', (backend) => {
  it('warns when a meeting’s revisions jump (events it never received)', async () => {
    const events = await busyMorningEvents();
    const store = await projectionStore(backend);
    const { logger, lines } = recordingLogger();
    const runner = createProjectionRunner({ store, projections: [chatHistoryProjection()], logger });
    await runner.handle([events[0]!, events[3]!]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        details: expect.objectContaining({ applied: 0, received: 3 }),
      }),
    ]);
  });

  it('refuses projections that share a name or a collection, or use a reserved one', async () => {
    const store = await projectionStore(backend);
    const p = (name: string, collections: string[]): Projection => ({
      name,
      version: 1,
      collections,
      apply: async () => undefined,
    });
    expect(() => createProjectionRunner({ store, projections: [p('a', ['x']), p('a', ['y'])] })).toThrow(
      /named/,
    );
    expect(() => createProjectionRunner({ store, projections: [p('a', ['x']), p('b', ['x'])] })).toThrow(
      /both/,
    );
    expect(() => createProjectionRunner({ store, projections: [p('a', ['_checkpoints'])] })).toThrow(
      /reserved/,
    );
  });

  it('reports each projection’s position and whether its stored read model is of another version', async () => {
    const events = await busyMorningEvents();
    const store = await projectionStore(backend);
    await createProjectionRunner({ store, projections: allProjections() }).handle(events);
    const bumped = allProjections().map((p) => (p.name === 'roster' ? { ...p, version: 2 } : p));
    const status = await createProjectionRunner({ store, projections: bumped }).status();
    expect(status).toEqual([
      {
        name: 'meeting-directory',
        version: 2,
        storedVersion: 2,
        position: events.at(-1)!.globalPosition,
        rebuildNeeded: false,
      },
      {
        name: 'roster',
        version: 2,
        storedVersion: 1,
        position: events.at(-1)!.globalPosition,
        rebuildNeeded: true,
      },
      {
        name: 'chat-history',
        version: 1,
        storedVersion: 1,
        position: events.at(-1)!.globalPosition,
        rebuildNeeded: false,
      },
      {
        name: 'presence',
        version: 2,
        storedVersion: 2,
        position: events.at(-1)!.globalPosition,
        rebuildNeeded: false,
      },
    ]);
  });
});

describe.each(backends)('projection runner: waitFor (read-your-writes) on $name', (backend) => {
  it('answers true at once for revisions already projected, false after the timeout otherwise', async () => {
    const events = await busyMorningEvents();
    const store = await projectionStore(backend);
    const runner = createProjectionRunner({ store, projections: allProjections() });
    await runner.handle(events);
    const lastOfStandup = events.filter((e) => e.meetingId === 'standup').at(-1)!.streamRevision;
    expect(await runner.waitFor('standup', lastOfStandup, 1000)).toBe(true);
    expect(await runner.waitFor('standup', lastOfStandup + 1, 60)).toBe(false);
    expect(await runner.waitFor('unknown-meeting', 0, 60)).toBe(false);
    expect(await runner.waitFor('unknown-meeting', -1, 60)).toBe(true);
  });

  // Fake timers for the two tests below: no poll can fire unless the test moves the clock, so
  // each test shows which mechanism answered.
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  /** Lets real I/O run (a PostgreSQL round trip is no microtask) until `done()`, or `ms` of real time. */
  const settle = async (done: () => boolean, ms = 5000) => {
    const until = performance.now() + ms;
    while (!done() && performance.now() < until) await flush();
  };

  it('wakes when this runner commits the awaited events', async () => {
    const events = await busyMorningEvents();
    const store = await projectionStore(backend);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const runner = createProjectionRunner({ store, projections: allProjections(), pollMs: 50 });
      const standup = events.filter((e) => e.meetingId === 'standup');
      let answer: boolean | undefined;
      const waiting = runner
        .waitFor('standup', standup.at(-1)!.streamRevision, 10_000)
        .then((a) => (answer = a));
      await flush();
      await runner.handle(events.slice(0, 3));
      await settle(() => answer !== undefined, 100);
      expect(answer).toBeUndefined();
      await runner.handle(events);
      await settle(() => answer !== undefined);
      expect(answer).toBe(true);
      await waiting;
    } finally {
      vi.useRealTimers();
    }
  });

  it('notices events projected by another node sharing the store (by polling)', async () => {
    const events = await busyMorningEvents();
    const shared = randomUUID();
    const hereStore = await projectionStore(backend, shared);
    const elsewhereStore = await projectionStore(backend, shared);
    // Reads this node's waiter finished: the other node commits only after its first check came
    // back (fresh-clone CI: a PostgreSQL read slower than a flush saw the commit, and no poll was
    // needed).
    let reads = 0;
    const counted: typeof hereStore = Object.create(hereStore as object);
    counted.getMany = async (...args: Parameters<typeof hereStore.getMany>) => {
      try {
        return await hereStore.getMany(...args);
      } finally {
        reads += 1;
      }
    };
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const here = createProjectionRunner({
        store: counted,
        projections: allProjections(),
        pollMs: 50,
      });
      const elsewhere = createProjectionRunner({
        store: elsewhereStore,
        projections: allProjections(),
      });
      const review = events.filter((e) => e.meetingId === 'review');
      let answer: boolean | undefined;
      const waiting = here.waitFor('review', review.at(-1)!.streamRevision, 10_000).then((a) => (answer = a));
      await settle(() => reads > 0);
      expect(reads).toBeGreaterThan(0);
      await elsewhere.handle(events);
      await settle(() => answer !== undefined, 100);
      expect(answer).toBeUndefined(); // nothing here was told
      await vi.advanceTimersByTimeAsync(50);
      await settle(() => answer !== undefined);
      expect(answer).toBe(true);
      await waiting;
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives up with false once the timeout has passed', async () => {
    const store = await projectionStore(backend);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const runner = createProjectionRunner({ store, projections: allProjections(), pollMs: 50 });
      let answer: boolean | undefined;
      const waiting = runner.waitFor('m1', 0, 1_000).then((a) => (answer = a));
      await vi.advanceTimersByTimeAsync(900);
      expect(answer).toBeUndefined();
      await vi.advanceTimersByTimeAsync(200);
      await settle(() => answer !== undefined);
      expect(answer).toBe(false);
      await waiting;
    } finally {
      vi.useRealTimers();
    }
  });

  it('waits for every projection, not just the fastest', async () => {
    const events = await busyMorningEvents();
    const store = await projectionStore(backend);
    const partial = createProjectionRunner({ store, projections: [chatHistoryProjection()] });
    await partial.handle(events);
    const full = createProjectionRunner({ store, projections: allProjections() });
    expect(await full.waitFor('review', 0, 60)).toBe(false);
  });
});
