import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { EventBus } from '../../domain/ports/event-bus';
import type { EventStore } from '../../domain/ports/event-store';
import { createInProcessEventBus } from '../../infra/bus/in-process-event-bus';
import { createSqliteEventStore } from '../../infra/event-store/sqlite-event-store';
import { newEvent } from '../../test/contracts/event-store.contract';
import { createEventForwarder, type Forwarder } from './event-forwarder';

const dir = mkdtempSync(join(tmpdir(), 'confer-forwarder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Rig {
  store: EventStore;
  forwarder: Forwarder;
  /** Size of each batch the forwarder handed to the bus, in order. */
  published: number[];
  /** Global positions the bus delivered to a group, in order. */
  delivered: number[];
  close(): Promise<void>;
}

const open: Rig[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((rig) => rig.close()));
});

/** A real SQLite store and a real in-process bus, the forwarder between them. */
async function rig(
  lingerMs: number,
  o: {
    checkpoint?: { load(): Promise<number>; save(position: number): Promise<void> };
    maxInFlight?: number;
    maxLagMs?: number;
    /** A second group's handler (a slow read model, say), beside the probe. */
    otherGroup?: (events: readonly { globalPosition: number }[]) => Promise<void>;
  } = {},
): Promise<Rig> {
  const store = createSqliteEventStore({ path: join(dir, `${randomUUID()}.db`) });
  const inner = createInProcessEventBus();
  const published: number[] = [];
  const bus: EventBus = {
    ...inner,
    publish: (events) => {
      published.push(events.length);
      return inner.publish(events);
    },
  };
  const delivered: number[] = [];
  await inner.subscribe({
    group: 'probe',
    handler: async (events) => {
      delivered.push(...events.map((e) => e.globalPosition));
    },
  });
  if (o.otherGroup) await inner.subscribe({ group: 'other', handler: o.otherGroup });
  let saved = 0;
  const forwarder = createEventForwarder({
    store,
    bus,
    logger: pino({ level: 'silent' }),
    checkpoint: o.checkpoint ?? {
      load: async () => saved,
      save: async (position) => void (saved = position),
    },
    lingerMs,
    ...(o.maxInFlight !== undefined ? { maxInFlight: o.maxInFlight } : {}),
    ...(o.maxLagMs !== undefined ? { maxLagMs: o.maxLagMs } : {}),
  });
  await forwarder.start();
  const r: Rig = {
    store,
    forwarder,
    published,
    delivered,
    close: async () => {
      await forwarder.stop();
      await inner.close();
      await store.close();
    },
  };
  open.push(r);
  return r;
}

/** Appends one event per commit, one after another, each `gapMs` after the last was durable. */
async function appendOneByOne(store: EventStore, count: number, gapMs: number): Promise<number[]> {
  const meetingId = randomUUID();
  const positions: number[] = [];
  for (let i = 0; i < count; i++) {
    const result = await store.append(`meeting-${meetingId}`, [newEvent(meetingId)], {
      expectedRevision: i === 0 ? 'no_stream' : i - 1,
    });
    positions.push(result.lastPosition);
    await sleep(gapMs);
  }
  return positions;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!condition() && Date.now() - start < timeoutMs) await sleep(10);
}

describe('event forwarder', () => {
  it('under a steady stream hands the bus one batch per linger, every event once and in order', async () => {
    const lingerMs = 250;
    const { store, published, delivered } = await rig(lingerMs);
    const started = Date.now();
    const positions = await appendOneByOne(store, 30, 5);
    await until(() => delivered.length >= positions.length, 10_000);
    const elapsed = Date.now() - started;

    expect(delivered).toEqual(positions);
    // Each hand-over is at least lingerMs after the one before it: at most one per lingerMs, plus
    // the first. Without the linger, each of the 30 commits is its own batch.
    expect(published.length).toBeLessThanOrEqual(Math.ceil(elapsed / lingerMs) + 1);
    expect(published.length).toBeLessThan(30);
    expect(published.reduce((a, b) => a + b, 0)).toBe(30);
  });

  it('without a linger hands each commit over as soon as the last was taken', async () => {
    const { store, published, delivered } = await rig(0);
    const positions = await appendOneByOne(store, 10, 20);
    await until(() => delivered.length >= positions.length, 10_000);

    expect(delivered).toEqual(positions);
    // 20 ms between commits is ages for a forwarder that waits for nothing: one batch each.
    expect(published.length).toBeGreaterThanOrEqual(8);
  });

  it('hands over an event that comes after a quiet spell at once, not after the linger', async () => {
    const lingerMs = 2_000;
    const { store, delivered } = await rig(lingerMs);
    const [first] = await appendOneByOne(store, 1, 0);
    await until(() => delivered.length === 1, 10_000);
    expect(delivered).toEqual([first]);

    await sleep(lingerMs + 300); // quiet: the linger after the first batch is over
    const appendedAt = Date.now();
    const meetingId = randomUUID();
    const second = await store.append(`meeting-${meetingId}`, [newEvent(meetingId)], {
      expectedRevision: 'no_stream',
    });
    await until(() => delivered.length === 2, 10_000);
    expect(delivered).toEqual([first, second.lastPosition]);
    // Held for the linger it would take ≥ 2,000 ms; handed over at once it takes milliseconds.
    expect(Date.now() - appendedAt).toBeLessThan(lingerMs / 2);
  });

  it('stops without waiting out a linger', async () => {
    const r = await rig(60_000);
    await appendOneByOne(r.store, 1, 0);
    await until(() => r.delivered.length === 1, 10_000);
    open.splice(open.indexOf(r), 1);
    const stopping = Date.now();
    await r.close();
    expect(Date.now() - stopping).toBeLessThan(30_000);
  });

  it('keeps handing batches to the bus while a checkpoint save is held up, and stores the newest when it ends', async () => {
    // The save waits, as one waits for a SQLite write lock another thread holds.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const saves: number[] = [];
    const { store, delivered } = await rig(0, {
      maxInFlight: 2,
      checkpoint: {
        load: async () => 0,
        save: async (position) => {
          await held;
          saves.push(position);
        },
      },
    });
    const positions = await appendOneByOne(store, 10, 5);
    await until(() => delivered.length >= positions.length, 10_000);
    // Ten batches went through a window of two while no save had finished.
    expect(delivered).toEqual(positions);
    expect(saves).toEqual([]);
    release();
    await until(() => saves.at(-1) === positions.at(-1), 10_000);
    expect(saves.at(-1)).toBe(positions.at(-1));
  });

  it('lets a fast group run ahead of a slow one by at most maxLagMs, then waits for the slow one', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: number[] = [];
    const maxLagMs = 150;
    const { store, delivered } = await rig(0, {
      maxInFlight: 1_000,
      maxLagMs,
      otherGroup: async (events) => {
        await gate;
        slow.push(...events.map((e) => e.globalPosition));
      },
    });
    // Each step waits for what it needs rather than for a time, so that a loaded machine (a
    // forwarder woken late) cannot turn the bound into a batch of everything.
    const meetingId = randomUUID();
    const positions: number[] = [];
    const appendOne = async () => {
      const result = await store.append(`meeting-${meetingId}`, [newEvent(meetingId)], {
        expectedRevision: positions.length === 0 ? 'no_stream' : positions.length - 1,
      });
      positions.push(result.lastPosition);
    };
    await appendOne();
    await until(() => delivered.length >= 1, 10_000);
    expect(delivered).toEqual(positions);
    // The slow group holds the first batch past maxLagMs: the next batch is the last handed over.
    await sleep(maxLagMs + 50);
    await appendOne();
    await until(() => delivered.length >= 2, 10_000);
    expect(delivered).toEqual(positions);
    while (positions.length < 20) await appendOne();
    await sleep(300);
    // With only the window's 1,000 batches as a bound, all 20 would have reached the fast group.
    expect(delivered).toEqual(positions.slice(0, 2));
    expect(slow).toEqual([]);
    release();
    await until(() => delivered.length >= 20 && slow.length >= 20, 10_000);
    expect(delivered).toEqual(positions);
    expect(slow).toEqual(positions);
  });

  it('stops at the next batch after a checkpoint save failed, to publish again from the stored one', async () => {
    let failing = true;
    const { store, delivered } = await rig(0, {
      checkpoint: {
        load: async () => 0,
        save: async () => {
          if (failing) throw new Error('the store is down');
        },
      },
    });
    const [first] = await appendOneByOne(store, 1, 0);
    await until(() => delivered.length === 1, 10_000);
    await sleep(50); // the failed save is noticed
    failing = false;
    await appendOneByOne(store, 3, 5);
    await sleep(300);
    // The batch that found the failure was not published: nothing after the first reached the bus.
    expect(delivered).toEqual([first]);
  });
});
