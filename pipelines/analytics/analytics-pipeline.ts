import type { EventBus, BusSubscription } from '../../domain/ports/event-bus';
import type { StoredEvent } from '../../domain/shared/envelope';
import { createAnalyticsHandler, type AnalyticsHandlerOptions } from './analytics-handler';

export { PARKED } from './analytics-handler';
export const ANALYTICS_GROUP = 'analytics';
/** Analysts read records within a second anyway: the group's fetches may gather for this long. */
export const ANALYTICS_GATHER_MS = 250;

export interface AnalyticsPipelineOptions extends AnalyticsHandlerOptions {
  bus: EventBus;
  onRecorded?(events: number): void;
  /**
   * Where a batch is applied: by default here, by createAnalyticsHandler; the composition root may
   * hand it to the read models' own thread, which runs the same handler on its own connection.
   */
  apply?(events: readonly StoredEvent[]): Promise<void>;
  /**
   * False when another consumer (the read models' thread on Kafka) is the analytics group's bus
   * consumer: start() then subscribes to nothing and that consumer calls committed().
   */
  subscribe?: boolean;
}

export interface AnalyticsPipeline {
  /** Handles one batch (what the bus subscription calls; exposed for benchmarks and specs). */
  handle(events: StoredEvent[]): Promise<void>;
  /** Calls `listener` after each committed batch on this node (readers poll for other nodes). */
  onCommitted(listener: () => void): () => void;
  /** A batch committed by the consumer elsewhere (`subscribe: false`): counted, listeners called. */
  committed(events: number): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The analytics consumer: its own bus group (its own queue on the in-process bus, so it never
 * delays a broadcast) and its own runner, checkpoint and records committed together
 * (analytics-handler.ts says what happens to an absent store and to a poison event).
 */
export function createAnalyticsPipeline(options: AnalyticsPipelineOptions): AnalyticsPipeline {
  const local = options.apply ? undefined : createAnalyticsHandler(options);
  const apply = options.apply ?? ((events: readonly StoredEvent[]) => local!.handle(events));
  const listeners = new Set<() => void>();
  let subscription: BusSubscription | undefined;

  function committed(events: number): void {
    options.onRecorded?.(events);
    for (const listener of listeners) listener();
  }

  async function handle(events: StoredEvent[]): Promise<void> {
    await apply(events);
    committed(events.length);
  }

  return {
    handle,
    committed,
    onCommitted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start() {
      local?.resume();
      if (options.subscribe === false) return;
      subscription = await options.bus.subscribe({
        group: ANALYTICS_GROUP,
        fromBeginning: true,
        gatherMs: ANALYTICS_GATHER_MS,
        handler: handle,
      });
    },
    async stop() {
      local?.stop();
      await subscription?.close();
      subscription = undefined;
    },
  };
}
