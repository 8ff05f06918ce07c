import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { createIdempotentProducer } from './idempotent-producer';
import { DeadLetterHeader } from './message-codec';
import type { ParkReason } from './poison';

export interface ParkRequest {
  message: KafkaMessage;
  sourceTopic: string;
  partition: number;
  group: string;
  reason: ParkReason;
  detail: string;
}

export interface DeadLetterQueue {
  /** Resolves once Kafka has the parked copies; rejects if it cannot (then nothing is committed). */
  park(requests: readonly ParkRequest[]): Promise<void>;
  close(): Promise<void>;
}

const MAX_DETAIL = 1_000;

/**
 * Parks messages on `<topic>.dlq` unchanged (same key, value, headers) plus headers saying why,
 * where from and which group gave up, so they can be inspected and replayed. One producer, shared
 * by the bus's consumers, connected on first use.
 */
export function createDeadLetterQueue(kafka: Kafka, topic: string): DeadLetterQueue {
  const producer = createIdempotentProducer(kafka);

  return {
    async park(requests) {
      if (requests.length === 0) return;
      const parkedAt = new Date().toISOString();
      const messages = requests.map(({ message, sourceTopic, partition, group, reason, detail }) => {
        const headers: IHeaders = {
          ...message.headers,
          [DeadLetterHeader.reason]: reason,
          [DeadLetterHeader.detail]: detail.slice(0, MAX_DETAIL),
          [DeadLetterHeader.group]: group,
          [DeadLetterHeader.sourceTopic]: sourceTopic,
          [DeadLetterHeader.sourcePartition]: String(partition),
          [DeadLetterHeader.sourceOffset]: message.offset,
          [DeadLetterHeader.parkedAt]: parkedAt,
        };
        return { key: message.key, value: message.value, headers };
      });
      await producer.send({ topic, messages });
    },
    close: () => producer.close(),
  };
}
