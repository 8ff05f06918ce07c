import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../../domain/ports/event-store';
import { RevisionConflictError } from '../../domain/ports/event-store';
import type { EventToAppend, StoredEvent } from '../../domain/shared/envelope';
import { firstBrokenLink } from '../../infra/event-store/hash-chain';

export function newEvent(
  meetingId: string,
  type = 'ChatMessageSent',
  data: unknown = { n: 1 },
): EventToAppend {
  return {
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    data,
    metadata: {
      meetingId,
      occurredAt: new Date().toISOString(),
      actor: { type: 'system', reason: 'test' },
      correlationId: randomUUID(),
      causationId: randomUUID(),
    },
  };
}

const until = async (check: () => boolean, timeoutMs = 5000): Promise<void> => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/**
 * The one contract every EventStore adapter passes. `create` gives a store over an empty
 * (or at least isolated) history; streams get unique names so shared servers work too.
 */
export function describeEventStoreContract(
  name: string,
  create: () => Promise<EventStore>,
  options: { skip?: boolean } = {},
) {
  describe.skipIf(options.skip ?? false)(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let stream: string;
    let meetingId: string;

    beforeEach(async () => {
      store = await create();
      meetingId = randomUUID();
      stream = `meeting-${meetingId}`;
    });
    afterEach(async () => {
      await store.close();
    });

    it('appends to a new stream with no_stream, numbering revisions from 0', async () => {
      const result = await store.append(stream, [newEvent(meetingId), newEvent(meetingId)], {
        expectedRevision: 'no_stream',
      });
      expect(result.nextExpectedRevision).toBe(1);
      expect(result.events.map((e) => e.streamRevision)).toEqual([0, 1]);
      expect(result.events[1]!.globalPosition).toBeGreaterThan(result.events[0]!.globalPosition);
      expect(result.lastPosition).toBe(result.events[1]!.globalPosition);
    });

    it('rejects no_stream on an existing stream with a typed conflict', async () => {
      await store.append(stream, [newEvent(meetingId)], { expectedRevision: 'no_stream' });
      const error = await store
        .append(stream, [newEvent(meetingId)], { expectedRevision: 'no_stream' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RevisionConflictError);
      expect((error as RevisionConflictError).code).toBe('CONFER_STORE_REVISION_CONFLICT');
      expect((error as RevisionConflictError).actual).toBe(0);
    });

    it('accepts the exact revision and rejects a stale one', async () => {
      await store.append(stream, [newEvent(meetingId)], { expectedRevision: 'no_stream' });
      await store.append(stream, [newEvent(meetingId)], { expectedRevision: 0 });
      await expect(
        store.append(stream, [newEvent(meetingId)], { expectedRevision: 0 }),
      ).rejects.toBeInstanceOf(RevisionConflictError);
      const events = await store.readStream(stream);
      expect(events).toHaveLength(2);
    });

    it('honours any and stream_exists', async () => {
      await expect(
        store.append(stream, [newEvent(meetingId)], { expectedRevision: 'stream_exists' }),
      ).rejects.toBeInstanceOf(RevisionConflictError);
      await store.append(stream, [newEvent(meetingId)], { expectedRevision: 'any' });
      await store.append(stream, [newEvent(meetingId)], { expectedRevision: 'any' });
      const r = await store.append(stream, [newEvent(meetingId)], { expectedRevision: 'stream_exists' });
      expect(r.nextExpectedRevision).toBe(2);
    });

    it('chains appends, when it says so: handed in back to back, each lands only on the one before it', async (ctx) => {
      if (!store.chainsAppends) return ctx.skip();
      await store.append(stream, [newEvent(meetingId)], { expectedRevision: 'no_stream' });
      // Two appends handed in before either is answered, the second decided on the first.
      const first = newEvent(meetingId);
      const [a, b] = await Promise.all([
        store.append(stream, [first], { expectedRevision: 0 }),
        store.append(stream, [newEvent(meetingId)], {
          expectedRevision: 1,
          expectedLastEventId: first.eventId,
        }),
      ]);
      expect([a.nextExpectedRevision, b.nextExpectedRevision]).toEqual([1, 2]);
      // The first refused, a foreign event got in at the same revision: the chained one must not pass.
      const refused = newEvent(meetingId);
      const [lost, foreign, chained] = await Promise.allSettled([
        store.append(stream, [refused], { expectedRevision: 1 }),
        store.append(stream, [newEvent(meetingId)], { expectedRevision: 2 }),
        store.append(stream, [newEvent(meetingId)], {
          expectedRevision: 3,
          expectedLastEventId: refused.eventId,
        }),
      ]);
      expect([lost.status, foreign.status, chained.status]).toEqual(['rejected', 'fulfilled', 'rejected']);
      expect((chained as PromiseRejectedResult).reason).toBeInstanceOf(RevisionConflictError);
      expect(await store.readStream(stream)).toHaveLength(4);
    });

    it('is idempotent by event id: a retried append stores nothing twice', async () => {
      const events = [newEvent(meetingId), newEvent(meetingId)];
      const first = await store.append(stream, events, { expectedRevision: 'no_stream' });
      const again = await store.append(stream, events, { expectedRevision: 'no_stream' });
      expect(again.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
      expect(again.lastPosition).toBe(first.lastPosition);
      expect(await store.readStream(stream)).toHaveLength(2);
    });

    it('reads a stream from a revision, with a maximum count, preserving data and metadata', async () => {
      const data = { text: 'héllo 👋', nested: { list: [1, 2, 3], flag: true } };
      const appended = [newEvent(meetingId, 'A', data), newEvent(meetingId, 'B'), newEvent(meetingId, 'C')];
      await store.append(stream, appended, { expectedRevision: 'no_stream' });
      const all = await store.readStream(stream);
      expect(all.map((e) => e.type)).toEqual(['A', 'B', 'C']);
      expect(all[0]!.data).toEqual(data);
      expect(all[0]!.actor).toEqual({ type: 'system', reason: 'test' });
      expect(all[0]!.meetingId).toBe(meetingId);
      expect(all[0]!.correlationId).toBe(appended[0]!.metadata.correlationId);
      const tail = await store.readStream(stream, { fromRevision: 1, maxCount: 1 });
      expect(tail.map((e) => e.type)).toEqual(['B']);
      expect(await store.readStream(`meeting-${randomUUID()}`)).toEqual([]);
    });

    it('chains hashes through each stream', async () => {
      await store.append(stream, [newEvent(meetingId), newEvent(meetingId)], {
        expectedRevision: 'no_stream',
      });
      await store.append(stream, [newEvent(meetingId)], { expectedRevision: 1 });
      const events = await store.readStream(stream);
      expect(firstBrokenLink(events)).toBeNull();
      expect(events[1]!.prevHash).toBe(events[0]!.hash);
      const tampered = events.map((e, i) => (i === 1 ? { ...e, data: { n: 999 } } : e));
      expect(firstBrokenLink(tampered)).toBe(1);
    });

    it('reads all streams in global order after a position', async () => {
      const other = randomUUID();
      const start = await store.headPosition();
      await store.append(stream, [newEvent(meetingId, 'A')], { expectedRevision: 'no_stream' });
      await store.append(`meeting-${other}`, [newEvent(other, 'B')], { expectedRevision: 'no_stream' });
      await store.append(stream, [newEvent(meetingId, 'C')], { expectedRevision: 0 });
      const mine = (await store.readAll({ after: start, maxCount: 1000 })).filter((e) =>
        [meetingId, other].includes(e.meetingId),
      );
      expect(mine.map((e) => e.type)).toEqual(['A', 'B', 'C']);
      const positions = mine.map((e) => e.globalPosition);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      const page = await store.readAll({ after: positions[0]!, maxCount: 1 });
      expect(page).toHaveLength(1);
      expect(page[0]!.globalPosition).toBeGreaterThan(positions[0]!);
      expect(await store.headPosition()).toBeGreaterThanOrEqual(positions[2]!);
    });

    it('subscribes: catches up from a position, then receives live appends in order', async () => {
      const start = await store.headPosition();
      await store.append(stream, [newEvent(meetingId, 'A'), newEvent(meetingId, 'B')], {
        expectedRevision: 'no_stream',
      });
      const seen: StoredEvent[] = [];
      const sub = store.subscribeToAll({
        after: start,
        onEvents: (events) => {
          seen.push(...events.filter((e) => e.meetingId === meetingId));
        },
      });
      await until(() => seen.length === 2);
      await store.append(stream, [newEvent(meetingId, 'C')], { expectedRevision: 1 });
      await store.append(stream, [newEvent(meetingId, 'D')], { expectedRevision: 2 });
      await until(() => seen.length === 4);
      await sub.close();
      expect(seen.map((e) => e.type)).toEqual(['A', 'B', 'C', 'D']);
      expect(sub.position).toBeGreaterThanOrEqual(seen[3]!.globalPosition);

      // From a later position only what follows is delivered.
      const later: StoredEvent[] = [];
      const sub2 = store.subscribeToAll({
        after: seen[1]!.globalPosition,
        onEvents: (events) => {
          later.push(...events.filter((e) => e.meetingId === meetingId));
        },
      });
      await until(() => later.length === 2);
      await sub2.close();
      expect(later.map((e) => e.type)).toEqual(['C', 'D']);
    });

    it('lets exactly one of many concurrent appends at one revision win', async () => {
      await store.append(stream, [newEvent(meetingId)], { expectedRevision: 'no_stream' });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, () => store.append(stream, [newEvent(meetingId)], { expectedRevision: 0 })),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(7);
      for (const l of lost) expect(l.reason).toBeInstanceOf(RevisionConflictError);
      expect(await store.readStream(stream)).toHaveLength(2);
    });

    it('answers many concurrent appends to many streams with distinct positions', async () => {
      const ids = Array.from({ length: 50 }, () => randomUUID());
      const results = await Promise.all(
        ids.map((id) =>
          store.append(`meeting-${id}`, [newEvent(id), newEvent(id)], { expectedRevision: 'no_stream' }),
        ),
      );
      const positions = results.flatMap((r) => r.events.map((e) => e.globalPosition));
      expect(new Set(positions).size).toBe(100);
    });
  });
}
