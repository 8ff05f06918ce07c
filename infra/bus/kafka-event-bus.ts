import { Kafka, type Admin } from 'kafkajs';
import type { BusSubscription, EventBus } from '../../domain/ports/event-bus';
import type { StoredEvent } from '../../domain/shared/envelope';
import { createBusStats, type KafkaBusStats } from './kafka/bus-stats';
import { createDeadLetterQueue } from './kafka/dead-letter';
import { BusClosedError, BusConfigurationError, BusUnavailableError, describeError } from './kafka/errors';
import { startGroupConsumer } from './kafka/group-consumer';
import { createIdempotentProducer } from './kafka/idempotent-producer';
import {
  parseKafkaBusOptions,
  type KafkaBusConfig,
  type KafkaEventBusOptions,
} from './kafka/kafka-bus-options';
import { consoleBusLogger, KAFKAJS_LOG_LEVEL, kafkaLogCreator, type BusLogger } from './kafka/kafka-log';
import { deadLetterTopic, encodeEvent } from './kafka/message-codec';

export { BusClosedError, BusConfigurationError, BusUnavailableError } from './kafka/errors';
export { DEFAULT_TOPIC, type KafkaEventBusOptions, type ParkedMessageInfo } from './kafka/kafka-bus-options';
export type { KafkaBusStats } from './kafka/bus-stats';
export type { PoisonReason } from './kafka/poison';

export interface KafkaEventBus extends EventBus {
  /** Counters since start (published, delivered, poison by reason, parked…). */
  stats(): KafkaBusStats;
  readonly topic: string;
  readonly deadLetterTopic: string;
}

/**
 * The EventBus over Kafka. Start-up connects, creates `<topic>` and `<topic>.dlq` when missing and
 * fails within `startupTimeoutMs` with an error naming the setting at fault. publish() resolves
 * once every message of the batch is acknowledged by all in-sync replicas (acks -1) by an
 * idempotent producer; batches are sent one after another, in call order, keyed by meeting id.
 */
export async function createKafkaEventBus(options: KafkaEventBusOptions): Promise<KafkaEventBus> {
  const config = parseKafkaBusOptions(options);
  const logger = config.logger ?? consoleBusLogger;
  const { topic } = config;
  const client = (retries: number, maxRetryTime: number): Kafka =>
    new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      connectionTimeout: config.connectionTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      retry: { retries, initialRetryTime: 200, maxRetryTime },
      logLevel: KAFKAJS_LOG_LEVEL,
      logCreator: kafkaLogCreator(logger),
    });

  await prepareTopics(client(config.startupRetries, 1_000), config, logger);

  const kafka = client(config.publishRetries, 2_000);
  const { counters, snapshot } = createBusStats();
  const deadLetters = createDeadLetterQueue(kafka, deadLetterTopic(topic));
  const subscriptions = new Set<BusSubscription>();
  const producer = createIdempotentProducer(kafka, { retries: config.publishRetries });
  let tail: Promise<unknown> = Promise.resolve();
  /** Bumped by every failed publish: batches queued before it must not overtake the failed one. */
  let failures = 0;
  let closed = false;

  const brokersSetting = `KAFKA_BROKERS=${config.brokers.join(',')}`;

  async function send(events: readonly StoredEvent[]): Promise<void> {
    try {
      // A failed send discards the producer: the next batch starts a new one (idempotent-producer.ts).
      await producer.send({ topic, messages: events.map(encodeEvent) });
      counters.published += events.length;
    } catch (error) {
      failures += 1;
      counters.publishFailures += 1;
      throw new BusUnavailableError(
        `Kafka (${brokersSetting}, topic ${topic}) did not acknowledge a batch of ${events.length} events: ` +
          `${describeError(error)}. Nothing of it counts as published; publish it again.`,
        error,
      );
    }
  }

  return {
    topic,
    deadLetterTopic: deadLetterTopic(topic),
    stats: snapshot,
    publish(events) {
      if (closed) return Promise.reject(new BusClosedError('publish'));
      if (events.length === 0) return Promise.resolve();
      const batch = [...events];
      const failuresBefore = failures;
      const result = tail.then(async () => {
        if (failures !== failuresBefore) {
          throw new BusUnavailableError(
            `an earlier batch failed to publish to Kafka (${brokersSetting}); this one was not sent, ` +
              'so that it cannot overtake it. Publish both again, in order.',
          );
        }
        await send(batch);
      });
      tail = result.catch(() => undefined);
      return result;
    },
    async subscribe(subscribeOptions) {
      if (closed) throw new BusClosedError('subscribe');
      const subscription = await startGroupConsumer(
        { kafka, config, deadLetters, stats: counters, logger },
        subscribeOptions,
      );
      const tracked: BusSubscription = {
        async close() {
          subscriptions.delete(tracked);
          await subscription.close();
        },
      };
      subscriptions.add(tracked);
      return tracked;
    },
    async close() {
      if (closed) return;
      closed = true;
      await tail;
      await Promise.allSettled([...subscriptions].map((s) => s.close()));
      await Promise.allSettled([producer.close(), deadLetters.close()]);
    },
  };
}

/** Connects with few retries and creates the topics; any failure names the setting to check. */
async function prepareTopics(kafka: Kafka, config: KafkaBusConfig, logger: BusLogger): Promise<void> {
  const admin = kafka.admin();
  const brokers = config.brokers.join(',');
  let stage: 'connect' | 'topics' = 'connect';
  let settled = false;
  const work = async (): Promise<void> => {
    await admin.connect();
    stage = 'topics';
    // A broker busy right after start (or just after creating the topic) may answer that it does
    // not host it yet (UNKNOWN_TOPIC_OR_PARTITION, retriable): ask again until the deadline.
    for (let attempt = 1; ; attempt++) {
      try {
        await ensureTopics(admin, config, logger);
        return;
      } catch (error) {
        if (!isRetriable(error) || settled) throw error;
        logger.warn({ err: error, attempt, topic: config.topic }, 'Kafka topic not ready yet; asking again');
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 200 * attempt)));
      }
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${config.startupTimeoutMs} ms`)),
      config.startupTimeoutMs,
    );
  });
  try {
    await Promise.race([work(), deadline]);
  } catch (error) {
    if (error instanceof BusConfigurationError) throw error;
    if (stage === 'connect') {
      throw new BusConfigurationError(
        'KAFKA_BROKERS',
        `cannot reach a Kafka broker at ${brokers}: ${describeError(error)}`,
        error,
      );
    }
    throw new BusConfigurationError(
      'KAFKA_TOPIC',
      `cannot create or read topic ${config.topic} on ${brokers}: ${describeError(error)}`,
      error,
    );
  } finally {
    settled = true;
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * kafkajs marks errors a later attempt may not meet (a leader moving, metadata not yet spread);
 * when its own retries ran out it wraps the last one (`originalError`).
 */
function isRetriable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { retriable?: unknown; originalError?: unknown };
  return e.retriable === true || (e.originalError !== undefined && isRetriable(e.originalError));
}

async function ensureTopics(admin: Admin, config: KafkaBusConfig, logger: BusLogger): Promise<void> {
  const { topic, partitions, replicationFactor } = config;
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic, numPartitions: partitions, replicationFactor },
      // Parked messages are rare and read by people: one partition keeps them in one sequence.
      { topic: deadLetterTopic(topic), numPartitions: 1, replicationFactor },
    ],
  });
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  const existing = metadata.topics[0]?.partitions.length ?? 0;
  if (existing !== partitions) {
    // Repartitioning moves meetings between partitions and so breaks their order: never automatic.
    logger.warn(
      { topic, partitions: existing, configured: partitions },
      'topic already exists with another partition count; KAFKA_PARTITIONS only applies to a new topic',
    );
  }
}
