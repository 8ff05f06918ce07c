/**
 * Publishes analyst records to an external topic (Kafka's `confer.analytics.v1`), keyed so that
 * one meeting's records stay in order. Resolves only once the topic has acknowledged every message
 * of the batch; rejects otherwise, and the caller sends the batch again (at-least-once: consumers
 * deduplicate by the record id, which never changes content).
 */
export interface RecordPublisher {
  publish(messages: ReadonlyArray<{ key: string; value: string }>): Promise<void>;
  close(): Promise<void>;
}
