import type { ProjectionStore } from '../../domain/ports/projection-store';
import type { RecordPublisher } from '../../domain/ports/record-publisher';
import { readLog } from './analytics-log';

/** The relay's own position in the log, in the same store as the log. */
export const RELAY = 'analytics_relay';

export interface RelayOptions {
  store: ProjectionStore;
  publisher: RecordPublisher;
  /** Wakes the relay when this node committed records (other nodes' are found by polling). */
  onCommitted(listener: () => void): () => void;
  logger: { warn(details: object, message: string): void };
  batchSize?: number;
  pollMs?: number;
  onPublished?(records: number, cursor: number): void;
}

export interface Relay {
  start(): void;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Outbox relay: reads the committed log after its checkpoint and publishes to the topic, saving the
 * checkpoint only after the topic acknowledged. The topic away means records wait in the log
 * (nothing is lost) and the relay retries with backoff; after a crash it republishes from its
 * checkpoint, the same ids with the same content. Runs on one node at a time (the composition root
 * holds a lease for it), so the topic receives the log's order.
 */
export function createRelay(options: RelayOptions): Relay {
  const batchSize = options.batchSize ?? 500;
  const pollMs = options.pollMs ?? 500;
  let running: Promise<void> | undefined;
  let stopping = false;
  let wake: (() => void) | undefined;
  const off = options.onCommitted(() => wake?.());

  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      wake = done;
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
    });

  async function loop(): Promise<void> {
    let backoff = 200;
    while (!stopping) {
      try {
        const at = Number((await options.store.get<{ cursor: number }>(RELAY, '', 'kafka'))?.cursor ?? 0);
        const page = await readLog(options.store, at, batchSize);
        if (page.records.length === 0) {
          await idle(pollMs);
          continue;
        }
        await options.publisher.publish(
          page.records.map(({ record }) => ({ key: record.subject, value: JSON.stringify(record) })),
        );
        const cursor = Number(page.next);
        await options.store.transaction((tx) => tx.put(RELAY, '', 'kafka', { cursor }));
        options.onPublished?.(page.records.length, cursor);
        backoff = 200;
      } catch (error) {
        if (stopping) return;
        options.logger.warn(
          { err: error, retryInMs: backoff },
          'analytics relay: publishing failed; records wait',
        );
        await sleep(backoff);
        backoff = Math.min(10_000, backoff * 2);
      }
    }
  }

  return {
    start() {
      stopping = false;
      running ??= loop().finally(() => (running = undefined));
    },
    async stop() {
      stopping = true;
      wake?.();
      off();
      await running;
    },
  };
}
