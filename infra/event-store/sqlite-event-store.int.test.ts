import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { RevisionConflictError } from '../../domain/ports/event-store';
import { describeEventStoreContract, newEvent } from '../../test/contracts/event-store.contract';
import { createSqliteEventStore } from './sqlite-event-store';

const dir = mkdtempSync(join(tmpdir(), 'confer-es-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeEventStoreContract('SQLite (file, WAL)', async () =>
  createSqliteEventStore({ path: join(dir, `${randomUUID()}.db`) }),
);

describe('SQLite event store durability', () => {
  it('keeps every acknowledged event across a close and reopen', async () => {
    const path = join(dir, 'durable.db');
    const store = createSqliteEventStore({ path });
    const meetingId = randomUUID();
    const acks = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.append(`meeting-${meetingId}-${i}`, [newEvent(meetingId)], { expectedRevision: 'no_stream' }),
      ),
    );
    await store.close();
    const reopened = createSqliteEventStore({ path });
    const all = await reopened.readAll({ after: 0, maxCount: 100 });
    expect(all.map((e) => e.eventId).sort()).toEqual(acks.map((a) => a.events[0]!.eventId).sort());
    await reopened.close();
  });

  it('answers each append with exactly the events it stored, hash chain included (as another reader of the file sees them)', async () => {
    const path = join(dir, `${randomUUID()}.db`);
    const store = createSqliteEventStore({ path });
    const meetingId = randomUUID();
    const stream = `meeting-${meetingId}`;
    const [first, other] = await Promise.all([
      store.append(
        stream,
        [newEvent(meetingId, 'ChatMessageSent', { text: 'é 😀', n: [1, 2] }), newEvent(meetingId)],
        { expectedRevision: 'no_stream' },
      ),
      store.append(`meeting-${randomUUID()}`, [newEvent(meetingId)], { expectedRevision: 'no_stream' }),
    ]);
    const second = await store.append(stream, [newEvent(meetingId, 'HandRaised', { who: 'ann' })], {
      expectedRevision: 1,
    });
    expect(second.events[0]!.prevHash).toBe(first.events[1]!.hash);
    expect(first.events.map((e) => e.streamRevision)).toEqual([0, 1]);
    expect(second.nextExpectedRevision).toBe(2);

    // Another store on the same file reads them from disk: the same events, field for field.
    const reader = createSqliteEventStore({ path });
    expect(await reader.readStream(stream)).toEqual([...first.events, ...second.events]);
    const all = await reader.readAll({ after: 0, maxCount: 10 });
    expect(all).toEqual(
      [...first.events, ...other.events, ...second.events].sort(
        (a, b) => a.globalPosition - b.globalPosition,
      ),
    );
    // And live subscribers of the writing store get what the append answered.
    expect(await store.readAll({ after: 0, maxCount: 10 })).toEqual(all);
    await reader.close();
    await store.close();
  });

  it('opens a file written with the streams table (schema v1), drops it, and goes on with each stream where its last event left it', async () => {
    const path = join(dir, `${randomUUID()}.db`);
    const meetingId = randomUUID();
    const stream = `meeting-${meetingId}`;
    const before = createSqliteEventStore({ path });
    const written = await before.append(stream, [newEvent(meetingId), newEvent(meetingId)], {
      expectedRevision: 'no_stream',
    });
    await before.close();
    // As the first schema left a file: a streams row beside the events, user_version 1.
    const raw = new Database(path);
    raw.exec(
      `CREATE TABLE streams (stream_id TEXT PRIMARY KEY, revision INTEGER NOT NULL, last_hash TEXT NOT NULL) WITHOUT ROWID`,
    );
    raw.prepare('INSERT INTO streams VALUES (?, ?, ?)').run(stream, 1, written.events[1]!.hash);
    raw.pragma('user_version = 1');
    raw.close();

    const after = createSqliteEventStore({ path });
    await expect(after.append(stream, [newEvent(meetingId)], { expectedRevision: 0 })).rejects.toThrow(
      RevisionConflictError,
    );
    await expect(
      after.append(stream, [newEvent(meetingId)], { expectedRevision: 'no_stream' }),
    ).rejects.toThrow(RevisionConflictError);
    const next = await after.append(stream, [newEvent(meetingId)], { expectedRevision: 1 });
    expect(next.events[0]).toMatchObject({ streamRevision: 2, prevHash: written.events[1]!.hash });
    const fresh = await after.append(`meeting-${randomUUID()}`, [newEvent(meetingId)], {
      expectedRevision: 'no_stream',
    });
    expect(fresh.events[0]!.streamRevision).toBe(0);
    await after.close();

    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'streams'").all()).toEqual([]);
    expect(check.pragma('user_version', { simple: true })).toBe(2);
    check.close();
  });

  it('sees appends made by another connection to the same file (fallback poll)', async () => {
    const path = join(dir, 'shared.db');
    const reader = createSqliteEventStore({ path, pollMs: 50 });
    const writer = createSqliteEventStore({ path });
    const meetingId = randomUUID();
    const seen: string[] = [];
    const sub = reader.subscribeToAll({
      after: 0,
      onEvents: (events) => void seen.push(...events.map((e) => e.eventId)),
    });
    const appended = await writer.append(`meeting-${meetingId}`, [newEvent(meetingId)], {
      expectedRevision: 'no_stream',
    });
    const start = Date.now();
    while (seen.length === 0 && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 20));
    await sub.close();
    expect(seen).toEqual([appended.events[0]!.eventId]);
    await writer.close();
    await reader.close();
  });
});

describe('SQLite store serving live subscribers from what it just wrote', () => {
  it('still sees another connection’s appends after its own, and keeps the order across both', async () => {
    const path = join(dir, `${randomUUID()}.db`);
    const mine = createSqliteEventStore({ path, pollMs: 50 });
    const other = createSqliteEventStore({ path });
    const seen: string[] = [];
    const sub = mine.subscribeToAll({
      after: 0,
      onEvents: (events) => void seen.push(...events.map((e) => e.eventId)),
    });
    const appendTo = async (store: typeof mine) => {
      const id = randomUUID();
      return (await store.append(`meeting-${id}`, [newEvent(id)], { expectedRevision: 'no_stream' }))
        .events[0]!.eventId;
    };
    const waitFor = async (count: number) => {
      const start = Date.now();
      while (seen.length < count && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 20));
    };
    // Its own event is held in memory; the other connection's comes after it, which only the
    // database knows; its next own event follows a gap in what it holds.
    const first = await appendTo(mine);
    await waitFor(1);
    const second = await appendTo(other);
    await waitFor(2);
    expect(seen).toEqual([first, second]);
    const third = await appendTo(mine);
    await waitFor(3);
    await sub.close();
    expect(seen).toEqual([first, second, third]);
    await other.close();
    await mine.close();
  });
});

describe('SQLite store letting go of what its live subscribers have handled', () => {
  // A full collection on demand, to see whether anything still holds an event.
  setFlagsFromString('--expose-gc');
  const collectGarbage = runInNewContext('gc') as () => void;
  const collected = async (ref: WeakRef<object>) => {
    // A WeakRef's target is kept until the end of the job that last read it.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    return ref.deref() === undefined;
  };

  /** Appends one event and keeps nothing of it but a weak reference and its position. */
  const appendOne = async (store: ReturnType<typeof createSqliteEventStore>) => {
    const id = randomUUID();
    const [event] = (await store.append(`meeting-${id}`, [newEvent(id)], { expectedRevision: 'no_stream' }))
      .events;
    return { ref: new WeakRef(event!), position: event!.globalPosition, eventId: event!.eventId };
  };

  it('holds an event only until every live subscriber has handled it', async () => {
    const store = createSqliteEventStore({ path: join(dir, `${randomUUID()}.db`) });
    const handled: number[] = [];
    const until = async (done: () => boolean) => {
      const start = Date.now();
      while (!done() && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 10));
    };
    const fast = store.subscribeToAll({
      after: 0,
      onEvents: (events) => void handled.push(...events.map((e) => e.globalPosition)),
    });
    // The slow one is stuck on the first event it is handed: the next must stay held for it.
    let slowCalls = 0;
    let unblock!: () => void;
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    const slowHandled: number[] = [];
    const slow = store.subscribeToAll({
      after: 0,
      onEvents: async (events) => {
        if (slowCalls++ === 0) await blocked;
        slowHandled.push(...events.map((e) => e.globalPosition));
      },
    });
    const first = await appendOne(store);
    await until(() => handled.includes(first.position) && slowCalls === 1);
    const second = await appendOne(store);
    await until(() => handled.includes(second.position));
    expect(handled).toEqual([first.position, second.position]);
    // Only the store holds the second event now, for the subscriber that has not read it yet.
    expect(await collected(second.ref)).toBe(false);
    unblock();
    await until(() => slowHandled.includes(second.position));
    expect(slowHandled).toEqual([first.position, second.position]);
    expect(await collected(second.ref)).toBe(true);
    expect(await collected(first.ref)).toBe(true);
    await fast.close();
    await slow.close();
    await store.close();
  });

  it('holds nothing when no subscriber is live, and still answers reads from the database', async () => {
    const store = createSqliteEventStore({ path: join(dir, `${randomUUID()}.db`) });
    const { ref, eventId } = await appendOne(store);
    expect(await collected(ref)).toBe(true);
    expect((await store.readAll({ after: 0, maxCount: 10 })).map((e) => e.eventId)).toEqual([eventId]);
    await store.close();
  });
});

describe('SQLite group commit isolates a failing append', () => {
  it('fails only the append that cannot be written; its batch-mates commit, and the error leaks nothing', async () => {
    const store = createSqliteEventStore({ path: join(dir, `${randomUUID()}.db`) });
    const bad = randomUUID();
    const poisoned = newEvent(bad);
    // Two events with one id in one append break a UNIQUE constraint inside the transaction.
    const attempts = [
      store.append(`meeting-${bad}`, [poisoned, { ...newEvent(bad), eventId: poisoned.eventId }], {
        expectedRevision: 'no_stream',
      }),
      ...Array.from({ length: 30 }, () => {
        const id = randomUUID();
        return store.append(`meeting-${id}`, [newEvent(id)], { expectedRevision: 'no_stream' });
      }),
    ];
    const results = await Promise.allSettled(attempts);
    expect(results[0]!.status).toBe('rejected');
    const reason = (results[0] as PromiseRejectedResult).reason as { code: string; message: string };
    expect(reason.code).toBe('CONFER_STORE_EVENT_REJECTED');
    expect(reason.message).not.toMatch(/SQLite|UNIQUE|constraint/i);
    expect(results.slice(1).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(await store.readStream(`meeting-${bad}`)).toEqual([]);
    expect((await store.readAll({ after: 0, maxCount: 100 })).length).toBe(30);
    await store.close();
  });
});

describe('SQLite write-ahead log copied by the checkpointer thread', () => {
  it('copies committed events into the database file from its own thread, not in a commit', async () => {
    const fileSize = (path: string) => statSync(path).size;
    const write = async (store: ReturnType<typeof createSqliteEventStore>) => {
      // 30 appends of 10 events, committed together: ~1 MB of log, far from SQLite's own threshold.
      await Promise.all(
        Array.from({ length: 30 }, () => {
          const id = randomUUID();
          const events = Array.from({ length: 10 }, () =>
            newEvent(id, 'ChatMessageSent', { text: 'x'.repeat(2000) }),
          );
          return store.append(`meeting-${id}`, events, { expectedRevision: 'no_stream' });
        }),
      );
    };
    const withThread = join(dir, `${randomUUID()}.db`);
    const withoutThread = join(dir, `${randomUUID()}.db`);
    const copied = createSqliteEventStore({ path: withThread, checkpointEveryMs: 50 });
    const leftToCommits = createSqliteEventStore({ path: withoutThread, checkpointEveryMs: 0 });
    await Promise.all([write(copied), write(leftToCommits)]);
    const start = Date.now();
    while (fileSize(withThread) < 600_000 && Date.now() - start < 10_000)
      await new Promise((r) => setTimeout(r, 50));
    expect(fileSize(withThread), 'the file, with the checkpointer').toBeGreaterThanOrEqual(600_000);
    // The same log, left to the commits (every 1,000 pages): still in the log, not in the file.
    expect(fileSize(withoutThread), 'the file, left to the commits').toBeLessThan(600_000);
    await copied.close();
    await leftToCommits.close();
  });
});
