import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaRecordPublisher } from '../../infra/analytics/kafka-record-publisher';
import { createInProcessEventBus } from '../../infra/bus/in-process-event-bus';
import { createSqliteEventStore } from '../../infra/event-store/sqlite-event-store';
import { createSqliteProjectionStore } from '../../infra/projection-store/sqlite-projection-store';
import { busyMorning, projectionSpecWorld } from '../../projections/projection.spec-helper';
import { eventually } from '../../test/support/eventually';
import { startKafka, type KafkaBroker } from '../../test/support/kafka-broker';
import { readLog } from './analytics-log';
import { createAnalyticsPipeline } from './analytics-pipeline';
import type { AnalyticsRecord } from './records';
import { createRelay } from './relay';

/** Kafka down: the records wait in the log, and once the broker is back every one is published, in order. */
let kafka: KafkaBroker;
const dir = mkdtempSync(join(tmpdir(), 'confer-relay-'));
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

beforeAll(async () => {
  kafka = await startKafka({ maxHeap: '256m' });
}, 120_000);
afterAll(async () => {
  await kafka?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('analytics relay to Kafka', () => {
  it('keeps records while the broker is down and publishes all of them, in order, once it is back', async () => {
    const world = projectionSpecWorld({
      events: createSqliteEventStore({ path: join(dir, 'events.db') }),
      store: createSqliteProjectionStore({ path: join(dir, 'scratch.db') }),
      projections: [],
    });
    await busyMorning(world);
    const history = await world.history();
    await world.close();

    const store = createSqliteProjectionStore({ path: join(dir, 'read.db') });
    const pipeline = createAnalyticsPipeline({
      bus: createInProcessEventBus(),
      store,
      logger: quiet,
      chatContent: false,
      source: 'https://confer.test/analytics',
      schemaBase: 'https://confer.test/docs/analytics',
    });
    const topic = `relay-${randomUUID().slice(0, 8)}`;
    const publisher = await createKafkaRecordPublisher({
      brokers: kafka.brokers,
      clientId: 'relay-test',
      topic,
      partitions: 3,
      logger: quiet,
    });
    const relay = createRelay({
      store,
      publisher,
      logger: quiet,
      onCommitted: pipeline.onCommitted,
      pollMs: 100,
    });
    const received: AnalyticsRecord[] = [];
    const consumer = new Kafka({
      clientId: 'relay-reader',
      brokers: kafka.brokers,
      logLevel: logLevel.NOTHING,
    }).consumer({
      groupId: `reader-${randomUUID()}`,
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) =>
        void received.push(JSON.parse(message.value!.toString()) as AnalyticsRecord),
    });
    relay.start();
    try {
      const half = Math.floor(history.length / 2);
      await pipeline.handle(history.slice(0, half));
      await eventually(
        'the first half on the topic',
        async () =>
          received.length === (await readLog(store, 0, 10_000)).records.length && received.length > 0,
        {
          timeoutMs: 30_000,
          intervalMs: 100,
        },
      );

      await kafka.stopBroker();
      await pipeline.handle(history.slice(half)); // committed while Kafka is down: waits in the log
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the relay tries and fails meanwhile
      await kafka.startBroker();

      const log = (await readLog(store, 0, 10_000)).records.map((e) => e.record);
      await eventually(
        'every record on the topic',
        () => new Set(received.map((r) => r.id)).size === log.length,
        {
          timeoutMs: 60_000,
          intervalMs: 200,
        },
      );
      // Per meeting: the log's order, each id with one content (a batch sent twice is the same bytes).
      const firstOf = new Map<string, AnalyticsRecord>();
      for (const r of received) {
        const seen = firstOf.get(r.id);
        if (seen) expect(r).toEqual(seen);
        else firstOf.set(r.id, r);
      }
      for (const meetingId of new Set(log.map((r) => r.subject))) {
        const onTopic = [...firstOf.values()].filter((r) => r.subject === meetingId);
        expect(onTopic).toEqual(log.filter((r) => r.subject === meetingId));
      }
    } finally {
      await relay.stop();
      await publisher.close();
      await consumer.disconnect();
      await store.close();
    }
  }, 180_000);
});
