import { Partitioners, type Kafka, type Producer, type ProducerRecord, type RecordMetadata } from 'kafkajs';

/** One idempotent producer, as every Confer writer to Kafka uses it (bus, dead letters, analytics). */
export interface IdempotentProducer {
  /**
   * Sends one record batch, acknowledged by all in-sync replicas. A failure discards the producer
   * before it rejects, so the next send starts a new one.
   */
  send(record: Omit<ProducerRecord, 'acks'>): Promise<RecordMetadata[]>;
  close(): Promise<void>;
}

/**
 * Connected on first use. Idempotent with one request in flight: kafkajs keeps order across its
 * retries only so. After a failed send its sequence numbers may be ahead of what the broker wrote,
 * and reusing it could make the broker take a later batch for a duplicate: a new producer gets a
 * new id and starts its sequences afresh.
 */
export function createIdempotentProducer(
  kafka: Kafka,
  options: { retries?: number } = {},
): IdempotentProducer {
  let producer: Promise<Producer> | undefined;

  const connected = (): Promise<Producer> =>
    (producer ??= (async () => {
      const p = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        ...(options.retries === undefined ? {} : { retry: { retries: options.retries } }),
      });
      await p.connect();
      return p;
    })());

  const discard = async (): Promise<void> => {
    const p = producer;
    producer = undefined;
    await (await p?.catch(() => undefined))?.disconnect().catch(() => undefined);
  };

  return {
    async send(record) {
      try {
        return await (await connected()).send({ ...record, acks: -1 });
      } catch (error) {
        await discard();
        throw error;
      }
    },
    close: discard,
  };
}
