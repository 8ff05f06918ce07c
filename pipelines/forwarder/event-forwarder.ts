import type { Logger } from 'pino';
import type { EventBus } from '../../domain/ports/event-bus';
import type { EventStore, Subscription } from '../../domain/ports/event-store';

/** Where the forwarder keeps its position in the store (see the composition root). */
export interface CheckpointPort {
  load(): Promise<number>;
  save(position: number): Promise<void>;
}

export interface ForwarderOptions {
  store: EventStore;
  bus: EventBus;
  checkpoint: CheckpointPort;
  logger: Logger;
  batchSize?: number;
  /** Delay before retrying after the bus refused a batch (it grows up to maxRetryMs). */
  retryMs?: number;
  maxRetryMs?: number;
  onForwarded?(count: number, lastPosition: number): void;
}

export interface Forwarder {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Last global position known to be on the bus. */
  readonly position: number;
}

/**
 * Reads the event store from its stored checkpoint and publishes to the bus in order, saving the
 * checkpoint only after the bus accepted each batch: after a crash it publishes again from there
 * (at-least-once, consumers deduplicate), so nothing appended is ever missing from the bus.
 * A bus outage is retried with backoff, holding the position: nothing is skipped.
 */
export function createEventForwarder(options: ForwarderOptions): Forwarder {
  const retryMs = options.retryMs ?? 200;
  const maxRetryMs = options.maxRetryMs ?? 5000;
  let subscription: Subscription | undefined;
  let position = 0;
  let stopping = false;

  async function publishWithRetry(events: Parameters<EventBus['publish']>[0]): Promise<void> {
    let delay = retryMs;
    for (;;) {
      try {
        await options.bus.publish(events);
        return;
      } catch (error) {
        if (stopping) throw error;
        options.logger.warn({ err: error, retryInMs: delay }, 'bus refused a batch; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(maxRetryMs, delay * 2);
      }
    }
  }

  return {
    get position() {
      return position;
    },
    async start() {
      position = await options.checkpoint.load();
      subscription = options.store.subscribeToAll({
        after: position,
        batchSize: options.batchSize ?? 500,
        onEvents: async (events) => {
          await publishWithRetry(events);
          const last = events[events.length - 1]!.globalPosition;
          await options.checkpoint.save(last);
          position = last;
          options.onForwarded?.(events.length, last);
        },
        onError: (error) => {
          if (!stopping) options.logger.error({ err: error }, 'forwarder stopped');
        },
      });
    },
    async stop() {
      stopping = true;
      await subscription?.close();
    },
  };
}
