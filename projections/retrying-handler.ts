import { StoreUnavailableError } from '../domain/ports/event-store';
import type { StoredEvent } from '../domain/shared/envelope';
import type { ProjectionLogger } from './projection';

export interface RetryingOptions {
  logger: ProjectionLogger;
  /** Called on every failed attempt (the server counts them). */
  onFailure?(error: unknown): void;
  /** True once the server is closing: an absent store is then given up on rather than waited for. */
  closing(): boolean;
}

/**
 * The projections' bus handler, wherever it runs (the server's thread or the read models' own).
 * The read-model store being away (restarting, failing over: StoreUnavailableError) says nothing
 * about the events, so the batch waits for the store as long as it takes: parking it would leave
 * a silent hole in the read models. A batch that keeps failing otherwise (a projection throws on
 * it) is logged with its positions and skipped (parked), so one bad event cannot stop every read
 * model; `npm run projections:rebuild` replays it once the fault is fixed.
 */
export function retryingProjections(
  runner: { handle(events: readonly StoredEvent[]): Promise<unknown> },
  options: RetryingOptions,
): (events: StoredEvent[]) => Promise<void> {
  return async (events) => {
    for (let attempt = 1, failures = 0; ; attempt++) {
      try {
        await runner.handle(events);
        return;
      } catch (error) {
        options.onFailure?.(error);
        if (error instanceof StoreUnavailableError) {
          if (options.closing()) throw error;
          await new Promise((resolve) =>
            setTimeout(resolve, Math.min(2000, 100 * 2 ** Math.min(attempt, 5))),
          );
          continue;
        }
        if (++failures >= 3) {
          options.logger.error(
            { err: error, from: events[0]?.globalPosition, to: events[events.length - 1]?.globalPosition },
            'projection batch parked',
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * failures));
      }
    }
  };
}
