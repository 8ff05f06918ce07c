import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BusSubscription, EventBus } from '../../domain/ports/event-bus';
import type { StoredEvent } from '../../domain/shared/envelope';

/**
 * A committed ChatMessageSent as the store would hand it to the forwarder: a real meeting event
 * type and payload, so adapters that check what they carry (Kafka's poison check) accept it.
 */
export function storedEvent(meetingId: string, streamRevision: number, globalPosition: number): StoredEvent {
  return {
    eventId: randomUUID(),
    type: 'ChatMessageSent',
    schemaVersion: 1,
    streamId: `meeting-${meetingId}`,
    meetingId,
    streamRevision,
    globalPosition,
    occurredAt: new Date().toISOString(),
    actor: { type: 'participant', participantId: 'p-1', isHost: false },
    correlationId: randomUUID(),
    causationId: randomUUID(),
    data: {
      messageId: randomUUID(),
      senderId: 'p-1',
      senderName: 'Zoë',
      content: `héllo ${streamRevision} 👋`,
    },
    prevHash: streamRevision === 0 ? '' : `hash-${streamRevision - 1}`,
    hash: `hash-${streamRevision}`,
  };
}

/**
 * `perMeeting` events for each of `meetings` meetings, interleaved as a store would order them
 * (global positions rising, each meeting's revisions rising from 0).
 */
export function meetingHistory(meetings: number, perMeeting: number): StoredEvent[] {
  const ids = Array.from({ length: meetings }, () => randomUUID());
  const events: StoredEvent[] = [];
  for (let revision = 0; revision < perMeeting; revision += 1) {
    for (const id of ids) events.push(storedEvent(id, revision, events.length + 1));
  }
  return events;
}

/** As meetingHistory, with every third event of each meeting a raised hand instead of a chat. */
function mixedHistory(meetings: number, perMeeting: number): StoredEvent[] {
  return meetingHistory(meetings, perMeeting).map((event) =>
    event.streamRevision % 3 === 2 ? { ...event, type: 'HandRaised', data: { participantId: 'p-1' } } : event,
  );
}

/** Splits events into consecutive batches of the given sizes, cycling through them. */
function inBatches(events: readonly StoredEvent[], sizes: readonly number[]): StoredEvent[][] {
  const batches: StoredEvent[][] = [];
  for (let i = 0, n = 0; i < events.length; n += 1) {
    const size = sizes[n % sizes.length] ?? 1;
    batches.push(events.slice(i, i + size));
    i += size;
  }
  return batches;
}

/** What one handler saw, in arrival order. */
interface Recorder {
  events: StoredEvent[];
  handler(events: StoredEvent[]): Promise<void>;
  /** Distinct event ids seen. */
  ids(): Set<string>;
}

function recorder(): Recorder {
  const events: StoredEvent[] = [];
  return {
    events,
    async handler(batch) {
      expect(batch.length, 'a handler is never called with an empty batch').toBeGreaterThan(0);
      events.push(...batch);
    },
    ids: () => new Set(events.map((e) => e.eventId)),
  };
}

/** First delivery of each event, in arrival order: what a consumer deduplicating by eventId keeps. */
function deduplicated(events: readonly StoredEvent[]): StoredEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.eventId) && seen.add(e.eventId));
}

/** Every published event arrived (duplicates allowed), nothing else did. */
function expectExactlyThese(received: readonly StoredEvent[], published: readonly StoredEvent[]): void {
  const got = deduplicated(received);
  expect(got).toHaveLength(published.length);
  const byId = new Map(got.map((e) => [e.eventId, e]));
  for (const event of published) expect(byId.get(event.eventId)).toEqual(event);
}

/**
 * After deduplication each meeting's revisions arrive contiguous and rising: no gap, no event of a
 * meeting overtaking an earlier one. (A redelivered duplicate is skipped, as a consumer would.)
 */
function expectMeetingOrder(received: readonly StoredEvent[]): void {
  const next = new Map<string, number>();
  for (const event of deduplicated(received)) {
    const expected = next.get(event.meetingId) ?? 0;
    expect(event.streamRevision, `meeting ${event.meetingId} out of order`).toBe(expected);
    next.set(event.meetingId, expected + 1);
  }
}

export interface EventBusContractOptions {
  /** How long a test waits for deliveries before failing (a bound, not a measurement). */
  deliveryTimeoutMs?: number;
  /** vitest timeout per test: Kafka joins groups and restarts consumers, which takes seconds. */
  testTimeoutMs?: number;
}

/**
 * The one contract every EventBus adapter passes (domain/ports/event-bus.ts). `create` gives a
 * bus that no one else publishes to (Kafka: a topic of its own). Groups subscribe before the
 * events they expect are published, so an adapter without history (in-process) passes too;
 * `fromBeginning` is set so that Kafka's start offset never depends on timing.
 */
export function describeEventBusContract(
  name: string,
  create: () => Promise<EventBus>,
  options: EventBusContractOptions = {},
): void {
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 5_000;
  const testTimeoutMs = options.testTimeoutMs;

  const until = async (what: string, check: () => boolean): Promise<void> => {
    const deadline = Date.now() + deliveryTimeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`not delivered within ${deliveryTimeoutMs} ms: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const hasAll = (r: Recorder, events: readonly StoredEvent[]) => () => {
    const ids = r.ids();
    return events.every((e) => ids.has(e.eventId));
  };

  describe(`EventBus contract: ${name}`, () => {
    let bus: EventBus;
    let group: (label: string) => string;
    const subscriptions: BusSubscription[] = [];

    const subscribe = async (groupName: string, handler: Recorder['handler']): Promise<BusSubscription> => {
      const subscription = await bus.subscribe({ group: groupName, handler, fromBeginning: true });
      subscriptions.push(subscription);
      return subscription;
    };

    beforeEach(async () => {
      bus = await create();
      const run = randomUUID().slice(0, 8);
      group = (label) => `contract-${label}-${run}`;
    });
    afterEach(async () => {
      await Promise.allSettled(subscriptions.splice(0).map((s) => s.close()));
      await bus.close();
    });

    it(
      'delivers every published event, unchanged, to a subscribed group',
      async () => {
        const r = recorder();
        await subscribe(group('all'), r.handler);
        const events = meetingHistory(3, 4);
        for (const batch of inBatches(events, [5, 1, 6])) await bus.publish(batch);
        await until('all events', hasAll(r, events));
        expectExactlyThese(r.events, events);
      },
      testTimeoutMs,
    );

    it(
      'gives each of two groups every event',
      async () => {
        const a = recorder();
        const b = recorder();
        await subscribe(group('a'), a.handler);
        await subscribe(group('b'), b.handler);
        const events = meetingHistory(4, 5);
        for (const batch of inBatches(events, [7])) await bus.publish(batch);
        await until('group a', hasAll(a, events));
        await until('group b', hasAll(b, events));
        expectExactlyThese(a.events, events);
        expectExactlyThese(b.events, events);
      },
      testTimeoutMs,
    );

    it(
      "keeps each meeting's order across many meetings and batches",
      async () => {
        const r = recorder();
        await subscribe(group('order'), r.handler);
        const events = meetingHistory(30, 20);
        for (const batch of inBatches(events, [1, 17, 50, 3, 120, 9])) await bus.publish(batch);
        await until('600 events', hasAll(r, events));
        expectMeetingOrder(r.events);
        expectExactlyThese(r.events, events);
      },
      testTimeoutMs,
    );

    it(
      'applies publishes in call order even when the caller does not wait between them',
      async () => {
        const r = recorder();
        await subscribe(group('call-order'), r.handler);
        const events = meetingHistory(5, 12);
        await Promise.all(inBatches(events, [4, 9, 2]).map((batch) => bus.publish(batch)));
        await until('all events', hasAll(r, events));
        expectMeetingOrder(r.events);
      },
      testTimeoutMs,
    );

    it(
      'resolves publish only for an accepted batch: with no group it resolves, once closed it rejects',
      async () => {
        await bus.publish([]);
        await bus.publish(meetingHistory(2, 2)); // nobody subscribed: accepted all the same
        const r = recorder();
        await subscribe(group('accepted'), r.handler);
        const events = meetingHistory(2, 3);
        await bus.publish(events);
        await until('events published after subscribe', hasAll(r, events));
        await bus.close();
        // A forwarder advances its checkpoint when publish resolves: a closed bus must not pretend.
        await expect(bus.publish(meetingHistory(1, 1))).rejects.toThrow();
        await expect(
          bus.subscribe({ group: group('late'), handler: async () => undefined, fromBeginning: true }),
        ).rejects.toThrow();
      },
      testTimeoutMs,
    );

    it(
      'stops delivering to a closed subscription while other groups go on',
      async () => {
        const closing = recorder();
        const staying = recorder();
        const closingSub = await subscribe(group('closing'), closing.handler);
        await subscribe(group('staying'), staying.handler);
        const before = meetingHistory(2, 3);
        await bus.publish(before);
        await until('closing group, before', hasAll(closing, before));
        await closingSub.close();
        const countAtClose = closing.events.length;
        const after = meetingHistory(2, 3);
        await bus.publish(after);
        await until('staying group, after', hasAll(staying, [...before, ...after]));
        // `after` reached the group that stayed; the closed one got nothing more.
        expect(closing.events).toHaveLength(countAtClose);
      },
      testTimeoutMs,
    );

    it(
      'keeps other groups, and later events of its own group, flowing when a handler throws',
      async () => {
        const first = meetingHistory(3, 2);
        const doomed = new Set(first.map((e) => e.eventId));
        let failures = 0;
        const flaky = recorder();
        await subscribe(group('throwing'), async (batch) => {
          if (batch.some((e) => doomed.has(e.eventId))) {
            failures += 1;
            throw new Error('handler failure injected by the contract test');
          }
          await flaky.handler(batch);
        });
        const healthy = recorder();
        await subscribe(group('healthy'), healthy.handler);
        const later = meetingHistory(3, 2);
        await bus.publish(first);
        await bus.publish(later);
        await until('healthy group', hasAll(healthy, [...first, ...later]));
        expectExactlyThese(healthy.events, [...first, ...later]);
        await until('later events of the throwing group', hasAll(flaky, later));
        expect(failures).toBeGreaterThan(0);
      },
      testTimeoutMs,
    );

    it(
      'never lets a slow group delay another: a fast group gets later batches while a slow one is stuck',
      async () => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const slow = recorder();
        let slowDone = 0;
        await subscribe(group('slow'), async (batch) => {
          await slow.handler(batch);
          await gate; // stuck on its first batch until the fast group has everything
          slowDone += 1;
        });
        const fast = recorder();
        await subscribe(group('fast'), fast.handler);
        const events = meetingHistory(3, 6);
        // Not awaited: a bus may resolve publish only once every group handled the batch.
        const published = inBatches(events, [4, 5]).map((batch) => bus.publish(batch));
        try {
          await until('every batch at the fast group while the slow one is stuck', hasAll(fast, events));
          expectMeetingOrder(fast.events);
          // The slow group had not finished a single batch: it really was stuck meanwhile.
          expect(slowDone).toBe(0);
        } finally {
          release();
        }
        await Promise.all(published);
        await until('the slow group, once released', hasAll(slow, events));
        expectMeetingOrder(slow.events);
      },
      testTimeoutMs,
    );

    it(
      'hands a group that names types only those, in order, and passes the others by, across a restart',
      async () => {
        const g = group('typed');
        const subscribeTyped = async (r: Recorder) => {
          const subscription = await bus.subscribe({
            group: g,
            handler: r.handler,
            fromBeginning: true,
            types: ['HandRaised'],
          });
          subscriptions.push(subscription);
          return subscription;
        };
        const raised = (events: readonly StoredEvent[]) => events.filter((e) => e.type === 'HandRaised');
        const typed = recorder();
        const first = await subscribeTyped(typed);
        const everything = recorder();
        await subscribe(group('untyped'), everything.handler);
        const a = mixedHistory(3, 9);
        for (const batch of inBatches(a, [4, 1, 7])) await bus.publish(batch);
        await until('every event at the group without types', hasAll(everything, a));
        await until('the raised hands', hasAll(typed, raised(a)));
        expectExactlyThese(everything.events, a);
        expectExactlyThese(typed.events, raised(a));
        // Each meeting's raised hands in the order they were raised.
        for (const meetingId of new Set(a.map((e) => e.meetingId))) {
          const revisions = deduplicated(typed.events)
            .filter((e) => e.meetingId === meetingId)
            .map((e) => e.streamRevision);
          expect(revisions).toEqual([2, 5, 8]);
        }

        // The group comes back: what came meanwhile reaches it, and still nothing it did not ask for.
        await first.close();
        const b = mixedHistory(2, 6);
        await bus.publish(b);
        const again = recorder();
        await subscribeTyped(again);
        await until('the raised hands published while it was away', hasAll(again, raised(b)));
        expect(again.events.filter((e) => e.type !== 'HandRaised')).toEqual([]);
      },
      testTimeoutMs,
    );

    it(
      'is at-least-once across a consumer restart in the same group',
      async () => {
        const g = group('restart');
        const firstRun = recorder();
        const first = await subscribe(g, firstRun.handler);
        const a = meetingHistory(4, 5);
        await bus.publish(a.slice(0, 10));
        await bus.publish(a.slice(10));
        await until('batch a, first consumer', hasAll(firstRun, a));
        await first.close();

        // Published while the group has no running consumer.
        const b = meetingHistory(4, 5);
        await bus.publish(b);

        const secondRun = recorder();
        await subscribe(g, secondRun.handler);
        const c = meetingHistory(4, 5);
        await bus.publish(c);
        await until('batches b and c, second consumer', hasAll(secondRun, [...b, ...c]));

        // Duplicates allowed (the second consumer may see some of a again), losses not.
        const everything = [...firstRun.events, ...secondRun.events];
        expectExactlyThese(everything, [...a, ...b, ...c]);
        expectMeetingOrder(everything);
      },
      testTimeoutMs,
    );
  });
}
