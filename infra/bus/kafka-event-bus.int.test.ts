import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../domain/shared/envelope';
import {
  describeEventBusContract,
  meetingHistory,
  storedEvent,
} from '../../test/contracts/event-bus.contract';
import { freePort } from '../../test/support/free-port';
import { startKafka, type KafkaBroker } from '../../test/support/kafka-broker';
import {
  BusConfigurationError,
  BusUnavailableError,
  createKafkaEventBus,
  type KafkaEventBus,
  type KafkaEventBusOptions,
  type PoisonReason,
} from './kafka-event-bus';
import type { BusLogger } from './kafka/kafka-log';
import { shareSubscriptions } from './shared-subscription';

let broker: KafkaBroker;
beforeAll(async () => {
  broker = await startKafka();
}, 180_000);
afterAll(async () => {
  await broker?.stop();
});

interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: object;
}
/** Keeps what the bus logs, for assertions, and prints nothing (kafkajs is loud while a broker is down). */
function collectingLogger(): BusLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (fields: object, message: string): void => {
      entries.push({ level, message, fields });
    };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const newBus = (overrides: Partial<KafkaEventBusOptions> = {}): Promise<KafkaEventBus> =>
  createKafkaEventBus({
    brokers: broker.brokers,
    clientId: 'confer-test',
    topic: `confer-test-${randomUUID()}`,
    partitions: 3,
    logger: collectingLogger(),
    // Fast give-up so that the "handler throws" tests do not wait through production backoffs.
    handlerRetry: { retries: 2, initialDelayMs: 20, maxDelayMs: 50 },
    // Kafka's minimum: a member lost in the broker outage test leaves its group sooner.
    sessionTimeoutMs: 6_000,
    ...overrides,
  });

const rawClient = (): Kafka =>
  new Kafka({ clientId: 'confer-test-raw', brokers: broker.brokers, logLevel: logLevel.NOTHING });

const until = async (what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/** Reads `count` messages of a topic from the beginning with a fresh group (a plain kafkajs client). */
async function readTopic(
  topic: string,
  count: number,
): Promise<{ partition: number; message: KafkaMessage }[]> {
  const consumer = rawClient().consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const got: { partition: number; message: KafkaMessage }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => void got.push({ partition, message }),
    });
    await until(`${count} messages on ${topic}`, () => got.length >= count);
  } finally {
    await consumer.disconnect();
  }
  return got;
}

const header = (message: KafkaMessage, name: string): string | undefined =>
  message.headers?.[name]?.toString();

describeEventBusContract('Kafka', () => newBus(), { deliveryTimeoutMs: 45_000, testTimeoutMs: 90_000 });

describe('Kafka event bus', () => {
  it('writes each event keyed by meeting id, the envelope as JSON value, and the documented headers', async () => {
    const bus = await newBus();
    try {
      const events = meetingHistory(5, 3);
      await bus.publish(events);
      const read = await readTopic(bus.topic, events.length);
      const partitionOfMeeting = new Map<string, number>();
      for (const { partition, message } of read) {
        const value = JSON.parse(message.value?.toString() ?? '') as StoredEvent;
        const sent = events.find((e) => e.eventId === value.eventId);
        expect(value).toEqual(sent);
        expect(message.key?.toString()).toBe(value.meetingId);
        expect(header(message, 'event-type')).toBe('ChatMessageSent');
        expect(header(message, 'schema-version')).toBe('1');
        expect(header(message, 'event-id')).toBe(value.eventId);
        expect(header(message, 'meeting-id')).toBe(value.meetingId);
        expect(header(message, 'global-position')).toBe(String(value.globalPosition));
        expect(header(message, 'content-type')).toBe('application/json');
        expect(partitionOfMeeting.get(value.meetingId) ?? partition).toBe(partition);
        partitionOfMeeting.set(value.meetingId, partition);
      }
    } finally {
      await bus.close();
    }
  });

  it('resolves publish only once Kafka has every message: a reader started after close finds them all', async () => {
    const bus = await newBus();
    const events = meetingHistory(10, 30);
    for (let i = 0; i < events.length; i += 60) await bus.publish(events.slice(i, i + 60));
    await bus.close();
    const read = await readTopic(bus.topic, events.length);
    expect(new Set(read.map((r) => header(r.message, 'event-id')))).toEqual(
      new Set(events.map((e) => e.eventId)),
    );
    expect(bus.stats().published).toBe(events.length);
  });

  it('parks poison messages on <topic>.dlq with their reason, counts them, and keeps the partition flowing', async () => {
    const parked: { reason: PoisonReason; offset: string }[] = [];
    const logger = collectingLogger();
    const bus = await newBus({
      logger,
      onPoison: (reason, info) => parked.push({ reason, offset: info.offset }),
    });
    const producer = rawClient().producer({ allowAutoTopicCreation: false });
    try {
      const received: StoredEvent[] = [];
      await bus.subscribe({
        group: `poison-${randomUUID()}`,
        fromBeginning: true,
        handler: async (batch) => void received.push(...batch),
      });
      const meetingId = randomUUID();
      const [e0, e1, e2] = [0, 1, 2].map((revision) => storedEvent(meetingId, revision, revision + 1)) as [
        StoredEvent,
        StoredEvent,
        StoredEvent,
      ];
      await bus.publish([e0]);
      // Same key as the valid events, so all of it lands on their partition, between them.
      const garbage = [
        'this is { not json',
        JSON.stringify({ hello: 'an object, not an envelope' }),
        JSON.stringify({ ...e0, eventId: randomUUID(), type: 'SomethingNobodyKnows' }),
        JSON.stringify({ ...e0, eventId: randomUUID(), schemaVersion: 99 }),
        JSON.stringify({ ...e0, eventId: randomUUID(), data: { content: 42 } }),
      ];
      await producer.connect();
      await producer.send({
        topic: bus.topic,
        messages: garbage.map((value) => ({ key: meetingId, value })),
      });
      await bus.publish([e1, e2]);

      await until('the valid events after the poison', () => received.length >= 3);
      expect(received.map((e) => e.eventId)).toEqual([e0.eventId, e1.eventId, e2.eventId]);
      await until('every poison message counted', () => parked.length === garbage.length);
      const expectedReasons: PoisonReason[] = [
        'not-json',
        'invalid-envelope',
        'unknown-type',
        'unsupported-version',
        'invalid-payload',
      ];
      expect(parked.map((p) => p.reason)).toEqual(expectedReasons);
      expect(bus.stats().poison).toEqual({
        'not-json': 1,
        'invalid-envelope': 1,
        'unknown-type': 1,
        'unsupported-version': 1,
        'invalid-payload': 1,
      });
      expect(logger.entries.filter((e) => e.message.includes('poison'))).toHaveLength(garbage.length);

      const dlq = await readTopic(bus.deadLetterTopic, garbage.length);
      expect(dlq.map((d) => header(d.message, 'dlq-reason'))).toEqual(expectedReasons);
      expect(dlq.map((d) => d.message.value?.toString())).toEqual(garbage);
      expect(dlq.map((d) => header(d.message, 'dlq-source-offset'))).toEqual(parked.map((p) => p.offset));
      for (const { message } of dlq) {
        expect(message.key?.toString()).toBe(meetingId);
        expect(header(message, 'dlq-source-topic')).toBe(bus.topic);
        expect(header(message, 'dlq-detail')).not.toBe('');
      }
    } finally {
      await producer.disconnect();
      await bus.close();
    }
  });

  it('passes by, unread, the messages whose event-type header a group did not ask for', async () => {
    const parked: PoisonReason[] = [];
    const bus = await newBus({ onPoison: (reason) => parked.push(reason) });
    const producer = rawClient().producer({ allowAutoTopicCreation: false });
    try {
      const received: StoredEvent[] = [];
      await bus.subscribe({
        group: `typed-${randomUUID()}`,
        fromBeginning: true,
        types: ['HandRaised'],
        handler: async (batch) => void received.push(...batch),
      });
      const meetingId = randomUUID();
      const chat = storedEvent(meetingId, 0, 1);
      const hand = (revision: number): StoredEvent => ({
        ...storedEvent(meetingId, revision, revision + 1),
        type: 'HandRaised',
        data: { participantId: 'p-1' },
      });
      const [first, unlabelled, last] = [hand(1), hand(3), hand(4)];
      await bus.publish([chat, first]);
      await producer.connect();
      await producer.send({
        topic: bus.topic,
        messages: [
          // Labelled a chat: never parsed by this group, so not parked as the garbage it is.
          { key: meetingId, value: 'not json at all', headers: { 'event-type': 'ChatMessageSent' } },
          // No label (another producer): read, and handed over only for its type.
          { key: meetingId, value: JSON.stringify(storedEvent(meetingId, 2, 3)) },
          { key: meetingId, value: JSON.stringify(unlabelled) },
        ],
      });
      await bus.publish([last]);
      await until('the raised hands', () => received.length >= 3);
      expect(received.map((e) => e.eventId)).toEqual([first.eventId, unlabelled.eventId, last.eventId]);
      expect(parked).toEqual([]);
      expect(bus.stats().parked).toBe(0);
    } finally {
      await producer.disconnect();
      await bus.close();
    }
  });

  it('retries a failing handler, then parks only the event it cannot take and goes on', async () => {
    const gaveUp: string[] = [];
    const bus = await newBus({
      onHandlerGaveUp: (_error, events) => gaveUp.push(...events.map((e) => e.eventId)),
    });
    try {
      // One meeting, one publish: the three events share a partition and reach the handler together.
      const [before, bad, after] = meetingHistory(1, 3) as [StoredEvent, StoredEvent, StoredEvent];
      const later = meetingHistory(1, 2);
      let calls = 0;
      const handled: StoredEvent[] = [];
      const group = `flaky-${randomUUID()}`;
      await bus.subscribe({
        group,
        fromBeginning: true,
        handler: async (batch) => {
          calls += 1;
          if (batch.some((e) => e.eventId === bad.eventId)) throw new Error('projection rejects this event');
          handled.push(...batch);
        },
      });
      await bus.publish([before, bad, after]);
      await bus.publish(later);
      await until('the events around the bad one, and later ones', () => handled.length >= 4);
      // `later` is another meeting, keyed to whichever partition its id hashes to: Kafka orders a
      // partition, not the topic, so only each meeting's own order is promised (and checked).
      const inOrderOf = (meetingId: string) =>
        handled.filter((e) => e.meetingId === meetingId).map((e) => e.eventId);
      expect(inOrderOf(before.meetingId)).toEqual([before.eventId, after.eventId]);
      expect(inOrderOf(later[0]!.meetingId)).toEqual(later.map((e) => e.eventId));
      expect(handled).toHaveLength(4);
      expect(gaveUp).toEqual([bad.eventId]);
      expect(calls).toBeGreaterThanOrEqual(3 + 3); // 1 try + 2 retries together, then one by one
      expect(bus.stats().handlerGaveUp).toBe(1);
      const [parked] = await readTopic(bus.deadLetterTopic, 1);
      expect(header(parked!.message, 'event-id')).toBe(bad.eventId);
      expect(header(parked!.message, 'dlq-reason')).toBe('handler-failed');
      expect(header(parked!.message, 'dlq-consumer-group')).toBe(group);
      expect(header(parked!.message, 'dlq-detail')).toContain('projection rejects this event');
    } finally {
      await bus.close();
    }
  });

  it('commits only what a handler finished: a member closed mid-batch leaves that batch to the next', async () => {
    const bus = await newBus();
    try {
      const group = `stuck-${randomUUID()}`;
      const handledFirst: StoredEvent[] = [];
      const warmUp = meetingHistory(2, 2);
      const stuck = meetingHistory(2, 2);
      const stuckIds = new Set(stuck.map((e) => e.eventId));
      let reachedStuck = false;
      const first = await bus.subscribe({
        group,
        fromBeginning: true,
        handler: async (batch) => {
          if (batch.some((e) => stuckIds.has(e.eventId))) {
            reachedStuck = true;
            await new Promise(() => undefined); // a consumer that hangs (or a node that dies) mid-batch
          }
          handledFirst.push(...batch);
        },
      });
      await bus.publish(warmUp);
      await until('the warm-up batch (commits an offset for the group)', () => handledFirst.length >= 4);
      await bus.publish(stuck);
      await until('the first member to be stuck in the batch', () => reachedStuck);
      await first.close();

      // fromBeginning false: the second member starts from the group's committed offsets only.
      const second: StoredEvent[] = [];
      await bus.subscribe({
        group,
        fromBeginning: false,
        handler: async (batch) => void second.push(...batch),
      });
      await until('the unfinished batch, redelivered', () =>
        stuck.every((e) => second.some((s) => s.eventId === e.eventId)),
      );
      expect(second.filter((e) => !stuckIds.has(e.eventId))).toEqual([]); // warm-up was committed
    } finally {
      await bus.close();
    }
  });

  it('restarts a "latest" group where it stopped, even on partitions it had never consumed from', async () => {
    const bus = await newBus();
    try {
      const group = `latest-${randomUUID()}`;
      const firstRun: StoredEvent[] = [];
      const first = await bus.subscribe({ group, handler: async (batch) => void firstRun.push(...batch) });
      const oneMeeting = meetingHistory(1, 3); // one partition only gets a committed offset
      await bus.publish(oneMeeting);
      await until('the first run', () => firstRun.length >= oneMeeting.length);
      await first.close();

      const whileDown = meetingHistory(12, 2); // 12 meetings: every partition gets some
      await bus.publish(whileDown);
      const secondRun: StoredEvent[] = [];
      await bus.subscribe({ group, handler: async (batch) => void secondRun.push(...batch) });
      await until('everything published while the group was down', () =>
        whileDown.every((e) => secondRun.some((s) => s.eventId === e.eventId)),
      );
    } finally {
      await bus.close();
    }
  });

  it('shares the meetings between two members of one group, each meeting on one member', async () => {
    const bus = await newBus();
    try {
      const group = `shared-${randomUUID()}`;
      const members = [[], []] as [StoredEvent[], StoredEvent[]];
      for (const seen of members) {
        await bus.subscribe({
          group,
          fromBeginning: true,
          handler: async (batch) => void seen.push(...batch),
        });
      }
      const events = meetingHistory(30, 3);
      await bus.publish(events);
      await until(
        'all events across both members',
        () => members[0].length + members[1].length >= events.length,
      );
      const [first, second] = members.map((seen) => new Set(seen.map((e) => e.meetingId)));
      expect(first?.size).toBeGreaterThan(0);
      expect(second?.size).toBeGreaterThan(0);
      expect([...(first ?? [])].filter((m) => second?.has(m))).toEqual([]);
      expect((first?.size ?? 0) + (second?.size ?? 0)).toBe(30);
    } finally {
      await bus.close();
    }
  });

  it('carries shared groups on one Kafka consumer: each member gets every event once, a failing one alone again', async () => {
    const bus = await newBus();
    const node = `node-${randomUUID()}`;
    const shared = shareSubscriptions(bus, { group: node, shares: (o) => o.group.startsWith('local-') });
    const admin = rawClient().admin();
    await admin.connect();
    try {
      const quick: StoredEvent[] = [];
      const flaky: StoredEvent[] = [];
      const own: StoredEvent[] = [];
      let flakyCalls = 0;
      const a = await shared.subscribe({
        group: 'local-a',
        handler: async (batch) => void quick.push(...batch),
      });
      await shared.subscribe({
        group: 'local-b',
        handler: async (batch) => {
          flakyCalls += 1;
          if (flakyCalls === 1) throw new Error('a transport was busy');
          flaky.push(...batch);
        },
      });
      const ownGroup = `own-${randomUUID()}`;
      await shared.subscribe({ group: ownGroup, handler: async (batch) => void own.push(...batch) });
      await expect(
        shared.subscribe({ group: 'local-c', fromBeginning: true, handler: async () => undefined }),
      ).rejects.toThrow(/reads from the beginning/);

      const events = meetingHistory(4, 3);
      await shared.publish(events);
      const ids = events.map((e) => e.eventId).sort();
      await until('every event at every member', () =>
        [quick, flaky, own].every((seen) => seen.length >= events.length),
      );
      // The failed batch came back to the member that failed, not to the one that had taken it.
      expect(flakyCalls).toBeGreaterThan(1);
      expect(quick.map((e) => e.eventId).sort()).toEqual(ids);
      expect(flaky.map((e) => e.eventId).sort()).toEqual(ids);
      expect(own.map((e) => e.eventId).sort()).toEqual(ids);
      // Kafka knows the shared group and the group of its own, not the members riding on the first.
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
      expect(groups).toContain(node);
      expect(groups).toContain(ownGroup);
      expect(groups).not.toContain('local-a');
      expect(groups).not.toContain('local-b');

      // A member leaving takes nothing from the others.
      await a.close();
      const later = meetingHistory(1, 2);
      await shared.publish(later);
      await until('later events at the members still there', () => flaky.length >= 14 && own.length >= 14);
      expect(quick).toHaveLength(12);
    } finally {
      await admin.disconnect();
      await shared.close();
    }
  });

  it('lets a group that can wait gather many small batches into few deliveries, and loses none', async () => {
    const bus = await newBus();
    try {
      const calls = { immediate: 0, gathering: 0 };
      const seen = { immediate: [] as StoredEvent[], gathering: [] as StoredEvent[] };
      for (const name of ['immediate', 'gathering'] as const) {
        await bus.subscribe({
          group: `${name}-${randomUUID()}`,
          ...(name === 'gathering' ? { gatherMs: 2_000 } : {}),
          handler: async (batch) => {
            calls[name] += 1;
            seen[name].push(...batch);
          },
        });
      }
      // One meeting (one partition), twenty small batches over half a second: each is a fetch of
      // its own for the immediate group; the gathering group's fetch waits (at most 2 s, one
      // boundary at most inside half a second) for them all.
      const events = meetingHistory(1, 20);
      for (const event of events) {
        await bus.publish([event]);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await until('both groups to have every event', () =>
        Object.values(seen).every((got) => got.length >= events.length),
      );
      const ids = events.map((e) => e.eventId);
      expect(seen.immediate.map((e) => e.eventId)).toEqual(ids);
      expect(seen.gathering.map((e) => e.eventId)).toEqual(ids);
      expect(calls.gathering).toBeLessThanOrEqual(2);
      expect(calls.immediate).toBeGreaterThanOrEqual(5);
    } finally {
      await bus.close();
    }
  });

  it('fails start-up with an error naming KAFKA_BROKERS when nothing listens at the address', async () => {
    const port = await freePort(); // free, so closed: connection refused
    const error = await createKafkaEventBus({
      brokers: [`127.0.0.1:${port}`],
      clientId: 'confer-test',
      logger: collectingLogger(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusConfigurationError);
    expect((error as BusConfigurationError).setting).toBe('KAFKA_BROKERS');
    expect((error as Error).message).toMatch(
      new RegExp(`^KAFKA_BROKERS: cannot reach a Kafka broker at 127.0.0.1:${port}`),
    );
  });

  it('rejects malformed settings before connecting, naming every one', async () => {
    const error = await createKafkaEventBus({
      brokers: ['localhost', 'kafka-1:99999'],
      clientId: 'confer-test',
      topic: 'not a topic!',
      partitions: 0,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain('KAFKA_BROKERS ("localhost"): expected host:port');
    expect(message).toContain('KAFKA_BROKERS ("kafka-1:99999"): port must be 1-65535');
    expect(message).toContain('KAFKA_TOPIC');
    expect(message).toContain('KAFKA_PARTITIONS');
  });

  // Last: it stops and restarts the shared broker.
  it('rejects publish clearly while the broker is down; once it is back nothing is lost', async () => {
    const bus = await newBus({ publishRetries: 2 });
    const received: StoredEvent[] = [];
    try {
      await bus.subscribe({
        group: `outage-${randomUUID()}`,
        fromBeginning: true,
        handler: async (batch) => void received.push(...batch),
      });
      const events = meetingHistory(6, 10);
      const [before, during, after] = [events.slice(0, 20), events.slice(20, 40), events.slice(40)];
      await bus.publish(before);
      await until('events before the outage', () => received.length >= before.length);

      await broker.stopBroker();
      const error = await bus.publish(during).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BusUnavailableError);
      expect((error as Error).message).toContain(`KAFKA_BROKERS=${broker.brokers.join(',')}`);
      expect(bus.stats().publishFailures).toBeGreaterThan(0);

      // What the forwarder does: keep publishing the same batch until Kafka takes it.
      let published = false;
      const forwarder = (async () => {
        while (!published) {
          published = await bus.publish(during).then(
            () => true,
            () => false,
          );
          if (!published) await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })();
      await broker.startBroker();
      await forwarder;
      await bus.publish(after);

      const ids = () => new Set(received.map((e) => e.eventId));
      await until('every event after the outage', () => events.every((e) => ids().has(e.eventId)), 90_000);
      const seen = new Set<string>();
      const next = new Map<string, number>();
      for (const event of received) {
        if (seen.has(event.eventId)) continue;
        seen.add(event.eventId);
        expect(event.streamRevision).toBe(next.get(event.meetingId) ?? 0);
        next.set(event.meetingId, event.streamRevision + 1);
      }
    } finally {
      if (!broker.running()) await broker.startBroker();
      await bus.close();
    }
  }, 180_000);
});
