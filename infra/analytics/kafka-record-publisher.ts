import { Kafka } from 'kafkajs';
import type { RecordPublisher } from '../../domain/ports/record-publisher';
import { createIdempotentProducer } from '../bus/kafka/idempotent-producer';
import { KAFKAJS_LOG_LEVEL, kafkaLogCreator, type BusLogger } from '../bus/kafka/kafka-log';

export const ANALYTICS_TOPIC = 'confer.analytics.v1';

export interface KafkaRecordPublisherOptions {
  brokers: string[];
  clientId: string;
  topic?: string;
  partitions?: number;
  logger: BusLogger;
}

/**
 * The analytics topic on Kafka: created when missing, messages keyed by meeting id (one meeting's
 * records on one partition, in order), sent by an idempotent producer with one request in flight
 * and acknowledged by all in-sync replicas. A failed send discards the producer (its sequence
 * numbers may be ahead of the broker) and rejects: the relay sends the batch again.
 */
export async function createKafkaRecordPublisher(
  options: KafkaRecordPublisherOptions,
): Promise<RecordPublisher> {
  const topic = options.topic ?? ANALYTICS_TOPIC;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 },
    logLevel: KAFKAJS_LOG_LEVEL,
    logCreator: kafkaLogCreator(options.logger),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic))
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: options.partitions ?? 12 }],
      });
  } finally {
    await admin.disconnect();
  }

  const producer = createIdempotentProducer(kafka);
  return {
    async publish(messages) {
      if (messages.length === 0) return;
      await producer.send({ topic, messages: messages.map((m) => ({ ...m })) });
    },
    close: () => producer.close(),
  };
}
