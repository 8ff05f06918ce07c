import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_EVENT_TYPE, SignedCheckpointSchema } from '../../domain/audit/checkpoint';
import type { Clock } from '../../domain/ports/clock';
import type { EventStore } from '../../domain/ports/event-store';
import type { StoredEvent } from '../../domain/shared/envelope';
import { sha256Hex } from '../../infra/event-store/hash-chain';
import { eventually } from '../../test/support/eventually';
import { createSqliteEventStore } from '../../infra/event-store/sqlite-event-store';
import { scriptedMeeting, toAppend } from './audit.spec-helper';
import { auditStream } from './chain-audit';
import { createAuditCheckpointer } from './checkpointer';
import { createAuditSigner } from './checkpoint-signer';

/** The checkpointer against a real SQLite store, driven as the bus would drive it, on a clock we turn. */
const meetingId = 'm-checkpoints';
const streamId = `meeting-${meetingId}`;
const signer = createAuditSigner(generateKeyPairSync('ed25519').privateKey);
let dir: string;
let store: EventStore;
let now: number;
const clock: Clock = { now: () => new Date(now) };
const signedUpTo = new Map<string, number>();
/** Why each checkpoint was signed, as the metrics hear it. */
const reasons: string[] = [];

const checkpointer = (
  record: Parameters<typeof createAuditCheckpointer>[0]['signedUpTo'] = {
    load: async (id) => signedUpTo.get(id) ?? -1,
    saveAll: async (revisions) => revisions.forEach((revision, id) => signedUpTo.set(id, revision)),
  },
) =>
  createAuditCheckpointer({
    store,
    signer,
    clock,
    intervalMs: 60_000,
    logger: { warn: (details, message) => console.warn(message, details) },
    signedUpTo: record,
    onSigned: (reason) => void reasons.push(reason),
  });

/** Appends facts of the scripted meeting as the command handler would; returns them as stored. */
async function append(from: number, to: number): Promise<StoredEvent[]> {
  const result = await store.append(streamId, toAppend(scriptedMeeting(meetingId).slice(from, to)), {
    expectedRevision: 'any',
  });
  return result.events;
}

const checkpoints = async () =>
  (await store.readStream(streamId))
    .filter((e) => e.type === CHECKPOINT_EVENT_TYPE)
    .map((e) => SignedCheckpointSchema.parse(e.data).checkpoint.revision);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'confer-checkpointer-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db') });
  now = Date.parse('2026-12-01T10:00:00Z');
  signedUpTo.clear();
  reasons.length = 0;
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('audit checkpointer', () => {
  it('signs a running meeting once the interval passed, not before, and never its own checkpoints', async () => {
    const c = checkpointer();
    // The timer's first look finds no meeting yet: later rounds still run.
    await c.tick();
    await c.handle(await append(0, 5));
    await c.tick();
    expect(await checkpoints()).toEqual([]);
    now += 61_000;
    await c.tick();
    expect(await checkpoints()).toEqual([4]);
    expect(reasons).toEqual(['interval']);
    // Its own checkpoint comes back on the bus: noted, not signed again.
    await c.handle((await store.readStream(streamId, { fromRevision: 5 })).slice(0, 1));
    now += 61_000;
    await c.tick();
    expect(await checkpoints()).toEqual([4]);
    await c.stop();
  });

  it('signs at the end at once; a restarted checkpointer given the same events signs nothing twice', async () => {
    const c = checkpointer();
    await c.handle(await append(0, 5));
    const rest = await append(5, 14);
    await c.handle(rest);
    const head = rest[rest.length - 1]!.streamRevision;
    expect(await checkpoints()).toEqual([head]);
    expect(reasons).toEqual(['end']);
    await c.stop();

    const again = checkpointer();
    await again.handle(await store.readStream(streamId));
    now += 3_600_000;
    await again.tick();
    expect(await checkpoints()).toEqual([head]);
    await again.stop();

    expect(auditStream(await store.readStream(streamId), sha256Hex, signer.publicKey)).toMatchObject({
      intact: true,
      checkpoints: { count: 1, verified: 1, latest: { revision: head } },
    });
  });

  /** Six running meetings, each handed to the checkpointer as the bus would; their first facts. */
  async function sixMeetings(c: ReturnType<typeof checkpointer>) {
    const ids = Array.from({ length: 6 }, (_, i) => `m-round-${i}`);
    const streams = new Map<string, StoredEvent[]>();
    for (const id of ids) {
      const { events } = await store.append(`meeting-${id}`, toAppend(scriptedMeeting(id).slice(0, 5)), {
        expectedRevision: 'no_stream',
      });
      streams.set(id, events);
      await c.handle(events);
    }
    return { ids, streams };
  }

  it("handles the bus's batches while a round's signing waits for its append, never behind it", async () => {
    // What happened, in order: each signing's append, and the bus batch being done.
    const log: string[] = [];
    const gates: (() => void)[] = [];
    const realStore = store;
    // Each signing's append waits until the test lets it through (the store itself is real).
    store = {
      ...realStore,
      append: async (streamId, events, options) => {
        if (events[0]?.type === CHECKPOINT_EVENT_TYPE) {
          log.push(`sign ${streamId}`);
          await new Promise<void>((resolve) => gates.push(resolve));
        }
        return realStore.append(streamId, events, options);
      },
    };
    const c = checkpointer();
    store = realStore;
    const { ids, streams } = await sixMeetings(c);
    now += 61_000;
    let roundDone = false;
    const round = c.tick().then(() => void (roundDone = true));
    await eventually('the first signing to wait on its append', () => gates.length === 1);
    // A bus batch arrives in the middle of the round (a chat in the first meeting, say), and is
    // handled while that signing still waits.
    let handled = false;
    void c.handle(streams.get(ids[0]!)!.slice(-1)).then(() => {
      log.push('bus batch');
      handled = true;
    });
    await eventually('the batch handled while the signing waits', () => handled, { timeoutMs: 5_000 });
    expect(gates).toHaveLength(1);
    // Every signing let through as it asks, until the round is done.
    while (!roundDone) {
      await eventually('the next signing, or the round done', () => gates.length > 0 || roundDone);
      gates.shift()?.();
    }
    await round;
    const signing = (id: string) => `sign meeting-${id}`;
    expect(log).toEqual([signing(ids[0]!), 'bus batch', ...ids.slice(1).map(signing)]);
    expect(reasons).toEqual(ids.map(() => 'interval'));
    await c.stop();
  });

  it("signs a meeting that ends during a round once, after the round's signing of it", async () => {
    const gates: (() => void)[] = [];
    const realStore = store;
    store = {
      ...realStore,
      append: async (streamId, events, options) => {
        if (events[0]?.type === CHECKPOINT_EVENT_TYPE)
          await new Promise<void>((resolve) => gates.push(resolve));
        return realStore.append(streamId, events, options);
      },
    };
    const c = checkpointer();
    store = realStore;
    await c.handle(await append(0, 5));
    now += 61_000;
    const round = c.tick();
    await eventually('the round to sign the meeting', () => gates.length === 1);
    // The meeting ends while the round's signing of it waits for its append.
    const rest = await append(5, 14);
    const ended = c.handle(rest);
    gates.shift()!();
    await eventually('the end to be signed', () => gates.length === 1);
    gates.shift()!();
    await Promise.all([round, ended]);
    expect(await checkpoints()).toEqual([4, rest.at(-1)!.streamRevision]);
    expect(reasons).toEqual(['interval', 'end']);
    await c.stop();
  });

  it('spreads a round over the time it is given: meetings due together are not signed as one burst', async () => {
    const signedAt: number[] = [];
    const realStore = store;
    store = {
      ...realStore,
      append: async (streamId, events, options) => {
        if (events[0]?.type === CHECKPOINT_EVENT_TYPE) signedAt.push(performance.now());
        return realStore.append(streamId, events, options);
      },
    };
    const c = checkpointer();
    store = realStore;
    const { ids } = await sixMeetings(c);
    now += 61_000;
    await c.tick(600);
    expect(signedAt).toHaveLength(ids.length);
    // Six signings over 600 ms: five pauses of 100 ms between them (a timer never fires early).
    expect(signedAt.at(-1)! - signedAt[0]!).toBeGreaterThanOrEqual(5 * 100 - 5);
    // Nothing left for the next round.
    await c.tick(600);
    expect(signedAt).toHaveLength(ids.length);
    await c.stop();
  });

  it('stops in the middle of a spread round without waiting out its pauses', async () => {
    const c = checkpointer();
    await sixMeetings(c);
    now += 61_000;
    // Spread over ten minutes: two minutes between signings.
    const round = c.tick(600_000);
    await eventually('the first signing', () => reasons.length === 1);
    await c.stop();
    await round;
    expect(reasons).toEqual(['interval']);
  });

  it("holds neither the bus's batches nor the signings while its records wait for the store; writes them together", async () => {
    // The records' store stands still (the read models' thread holds its lock), until the test frees it.
    const writes: string[][] = [];
    let free: () => void = () => undefined;
    const freed = new Promise<void>((resolve) => (free = resolve));
    const c = checkpointer({
      load: async () => -1,
      saveAll: async (revisions) => {
        writes.push([...revisions.keys()]);
        await freed;
        revisions.forEach((revision, id) => signedUpTo.set(id, revision));
      },
    });
    const { ids, streams } = await sixMeetings(c);
    now += 61_000;
    let roundDone = false;
    const round = c.tick().then(() => void (roundDone = true));
    // The whole round is signed, and a bus batch handled, with the first record still waiting.
    await eventually('the round to end while its first record waits', () => roundDone, { timeoutMs: 5_000 });
    for (const id of ids) {
      const signed = (await store.readStream(`meeting-${id}`)).filter(
        (e) => e.type === CHECKPOINT_EVENT_TYPE,
      );
      expect(signed, id).toHaveLength(1);
    }
    let handled = false;
    void c.handle(streams.get(ids[0]!)!.slice(-1)).then(() => void (handled = true));
    await eventually('a bus batch handled while the record waits', () => handled, { timeoutMs: 5_000 });
    expect(writes).toEqual([[ids[0]]]);
    await round;
    free();
    await c.stop();
    // Everything asked for meanwhile went in one more write.
    expect(writes).toEqual([[ids[0]], ids.slice(1)]);
    expect(ids.map((id) => signedUpTo.get(id))).toEqual(ids.map(() => 4));
  });
});
