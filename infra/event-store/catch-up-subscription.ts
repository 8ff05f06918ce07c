import type { ReadAllOptions, SubscribeOptions, Subscription } from '../../domain/ports/event-store';
import type { StoredEvent } from '../../domain/shared/envelope';
import { WakeSignal } from './wake-signal';

export interface CatchUpSource {
  readAll(options: ReadAllOptions): Promise<StoredEvent[]>;
  /** Registers a wake signal notified after every commit; returns an unregister function. */
  watch(signal: WakeSignal): () => void;
  /** Fallback poll period, for writers the store cannot hear (another process). */
  pollMs: number;
}

/**
 * Catch-up-then-live as one loop: read pages after the position until none is left, then sleep
 * until a commit wakes the loop (or the fallback poll fires). Live and catch-up cannot overlap or
 * leave a gap, because both are the same ordered read from the same position.
 */
export function startCatchUpSubscription(source: CatchUpSource, options: SubscribeOptions): Subscription {
  const signal = new WakeSignal();
  const unwatch = source.watch(signal);
  const batchSize = options.batchSize ?? 500;
  let position = options.after;
  let closed = false;

  const loop = (async () => {
    while (!closed) {
      const events = await source.readAll({ after: position, maxCount: batchSize });
      if (closed) break;
      if (events.length > 0) {
        await options.onEvents(events);
        position = events[events.length - 1]!.globalPosition;
        continue;
      }
      await signal.wait(source.pollMs);
    }
  })().catch((error: unknown) => {
    closed = true;
    unwatch();
    if (options.onError) options.onError(error);
  });

  return {
    get position() {
      return position;
    },
    async close() {
      closed = true;
      unwatch();
      signal.notify();
      await loop;
    },
  };
}
