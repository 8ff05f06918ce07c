import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaEventBus } from '../../infra/bus/kafka-event-bus';
import { createSqliteProjectionStore } from '../../infra/projection-store/sqlite-projection-store';
import { chatPage } from '../../projections/chat-history/chat-history.queries';
import { meetingHistory } from '../../test/contracts/event-bus.contract';
import { eventually } from '../../test/support/eventually';
import { startKafka, type KafkaBroker } from '../../test/support/kafka-broker';
import type { ReadModelTarget } from './read-models-messages';
import { startReadModelsThread } from './read-models-thread';

let broker: KafkaBroker;
beforeAll(async () => {
  broker = await startKafka();
}, 180_000);
afterAll(async () => {
  await broker?.stop();
});

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('the read models thread on Kafka', () => {
  it('consumes the projections and analytics groups itself, reports each commit, relays the log, and leaves its offsets committed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confer-read-models-'));
    const topic = `read-models-${randomUUID()}`;
    const thread = await startReadModelsThread({
      store: { PROJECTION_STORE: 'sqlite', DATA_DIR: dir },
      analytics: {
        source: 'http://confer.test/analytics',
        schemaBase: 'http://confer.test/docs',
        chatContent: false,
      },
      logLevel: 'silent',
      nodeId: 'node-a',
      consume: {
        BUS: 'kafka',
        KAFKA_BROKERS: broker.brokers,
        KAFKA_TOPIC: topic,
        KAFKA_PARTITIONS: 3,
        KAFKA_COMMIT_INTERVAL_MS: 1000,
        nodeId: 'node-a',
      },
    });
    const bus = await createKafkaEventBus({
      brokers: broker.brokers,
      clientId: 'test',
      topic,
      partitions: 3,
      logger: quiet,
    });
    const store = createSqliteProjectionStore({ path: join(dir, 'read-models.db') });
    const admin = new Kafka({
      clientId: 'test-admin',
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    try {
      const applied: Record<ReadModelTarget, number> = { projections: 0, analytics: 0 };
      let projected = 0;
      thread.onApplied((target, events) => (applied[target] += events));
      thread.onProjected(() => (projected += 1));
      expect(thread.consumes).toBe(true);
      await thread.consume();

      const events = meetingHistory(3, 4);
      await bus.publish(events);
      await eventually(
        'both groups to report every event committed',
        () => applied.projections >= events.length && applied.analytics >= events.length,
        { timeoutMs: 30_000 },
      );
      expect(projected).toBeGreaterThan(0);
      // What was reported is in the read models, written by the thread on its own connection.
      const meetingId = events[0]!.meetingId;
      const page = await chatPage(store, meetingId, { limit: 10 });
      expect(page.messages.map((m) => m.content)).toEqual(
        events.filter((e) => e.meetingId === meetingId).map((e) => (e.data as { content: string }).content),
      );

      // The analytics relay on the thread (this node holds its lease): the log reaches its topic.
      let relayed = 0;
      thread.onRelayed((records) => (relayed += records));
      const analyticsTopic = `analytics-${randomUUID()}`;
      await thread.startRelay({
        brokers: broker.brokers,
        clientId: 'test-relay',
        topic: analyticsTopic,
        partitions: 1,
      });
      await admin.connect();
      const onTopic = async () =>
        (await admin.fetchTopicOffsets(analyticsTopic)).reduce((sum, p) => sum + Number(p.high), 0);
      await eventually(
        'the relay to publish the records',
        async () => relayed > 0 && (await onTopic()) === relayed,
        {
          timeoutMs: 30_000,
        },
      );
      await thread.stopRelay();
      const published = relayed;

      // Closing commits what the thread handled: Kafka holds each group's offsets at the end of the topic.
      await thread.close();
      expect(await onTopic()).toBe(published);
      for (const group of ['projections', 'analytics']) {
        const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        const committed = offsets!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
        expect(committed, group).toBe(events.length);
      }
    } finally {
      await admin.disconnect();
      await thread.close().catch(() => undefined);
      await bus.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
