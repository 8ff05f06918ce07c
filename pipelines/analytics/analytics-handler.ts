import { StoreUnavailableError } from '../../domain/ports/event-store';
import type { ProjectionStore } from '../../domain/ports/projection-store';
import type { StoredEvent } from '../../domain/shared/envelope';
import {
  createProjectionRunner,
  ProjectionFailedError,
  type ProjectionLogger,
} from '../../projections/projection';
import { analyticsProjection, type AnalyticsOptions } from './analytics.projection';

/** Source events the pipeline could not take, kept for a look (and a replay once fixed). */
export const PARKED = 'analytics_parked';

export interface AnalyticsHandlerOptions extends AnalyticsOptions {
  store: ProjectionStore;
  logger: ProjectionLogger;
  onParked?(event: StoredEvent, error: unknown): void;
}

export interface AnalyticsHandler {
  /** Applies one batch: records and checkpoint committed together; a poison event parked alone. */
  handle(events: readonly StoredEvent[]): Promise<void>;
  /** Stops waiting for an absent store (a closing server gives up instead); resume() undoes it. */
  stop(): void;
  resume(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The analytics pipeline's work on one batch, wherever it runs (the server's thread, or the read
 * models' own thread):
 * - The store away: the batch waits and retries as long as it takes (nothing is skipped).
 * - An event the pipeline cannot take (a poison event): the batch is redone one event at a time,
 *   so only that event is parked (stored in `analytics_parked`, counted), never blocking the rest.
 */
export function createAnalyticsHandler(options: AnalyticsHandlerOptions): AnalyticsHandler {
  const runner = createProjectionRunner({
    store: options.store,
    projections: [analyticsProjection(options)],
    group: 'analytics',
    logger: options.logger,
  });
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

  return {
    async handle(events) {
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
    },
    stop() {
      stopping = true;
    },
    resume() {
      stopping = false;
    },
  };
}
