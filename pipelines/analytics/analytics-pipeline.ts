import type { EventBus, BusSubscription } from '../../domain/ports/event-bus';
import { StoreUnavailableError } from '../../domain/ports/event-store';
import type { ProjectionStore } from '../../domain/ports/projection-store';
import type { StoredEvent } from '../../domain/shared/envelope';
import {
  createProjectionRunner,
  ProjectionFailedError,
  type ProjectionLogger,
} from '../../projections/projection';
import { analyticsProjection, type AnalyticsOptions } from './analytics.projection';

export const ANALYTICS_GROUP = 'analytics';
/** Source events the pipeline could not take, kept for a look (and a replay once fixed). */
export const PARKED = 'analytics_parked';

export interface AnalyticsPipelineOptions extends AnalyticsOptions {
  bus: EventBus;
  store: ProjectionStore;
  logger: ProjectionLogger;
  onParked?(event: StoredEvent, error: unknown): void;
  onRecorded?(events: number): void;
}

export interface AnalyticsPipeline {
  /** Handles one batch (what the bus subscription calls; exposed for benchmarks and specs). */
  handle(events: StoredEvent[]): Promise<void>;
  /** Calls `listener` after each committed batch on this node (readers poll for other nodes). */
  onCommitted(listener: () => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The analytics consumer: its own bus group (its own queue on the in-process bus, so it never
 * delays a broadcast) and its own runner, checkpoint and records committed together.
 * - The store away: the batch waits and retries as long as it takes (nothing is skipped).
 * - An event the pipeline cannot take (a poison event): the batch is redone one event at a time,
 *   so only that event is parked (stored in `analytics_parked`, counted), never blocking the rest.
 */
export function createAnalyticsPipeline(options: AnalyticsPipelineOptions): AnalyticsPipeline {
  const runner = createProjectionRunner({
    store: options.store,
    projections: [analyticsProjection(options)],
    logger: options.logger,
  });
  const listeners = new Set<() => void>();
  let subscription: BusSubscription | undefined;
  let stopping = false;

  async function withStore(work: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof StoreUnavailableError) || stopping) throw error;
        await sleep(Math.min(2000, 50 * 2 ** Math.min(attempt, 6)));
      }
    }
  }

  async function park(event: StoredEvent, error: unknown): Promise<void> {
    options.logger.error(
      { err: error, eventId: event.eventId, type: event.type, position: event.globalPosition },
      'analytics: event parked',
    );
    const reason = error instanceof Error ? error.message : String(error);
    await withStore(() =>
      options.store.transaction((tx) =>
        tx.put(PARKED, event.meetingId, event.eventId, {
          position: event.globalPosition,
          type: event.type,
          reason: reason.slice(0, 1000),
        }),
      ),
    );
    options.onParked?.(event, error);
  }

  async function handle(events: StoredEvent[]): Promise<void> {
    try {
      await withStore(() => runner.handle(events));
    } catch (error) {
      if (!(error instanceof ProjectionFailedError)) throw error;
      // Redo the batch event by event: what was fine is committed, the poison alone is parked.
      for (const event of events) {
        try {
          await withStore(() => runner.handle([event]));
        } catch (single) {
          if (!(single instanceof ProjectionFailedError)) throw single;
          await park(event, single);
        }
      }
    }
    options.onRecorded?.(events.length);
    for (const listener of listeners) listener();
  }

  return {
    handle,
    onCommitted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start() {
      stopping = false;
      subscription = await options.bus.subscribe({
        group: ANALYTICS_GROUP,
        fromBeginning: true,
        handler: handle,
      });
    },
    async stop() {
      stopping = true;
      await subscription?.close();
      subscription = undefined;
    },
  };
}
