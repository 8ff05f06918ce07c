import type { Logger } from 'pino';
import type { BusSubscribeOptions, BusSubscription } from '../../domain/ports/event-bus';
import type { ProjectionStore } from '../../domain/ports/projection-store';
import type { StoredEvent } from '../../domain/shared/envelope';
import { ANALYTICS_GATHER_MS, ANALYTICS_GROUP } from '../../pipelines/analytics/analytics-pipeline';
import { createRelay } from '../../pipelines/analytics/relay';
import { retryingProjections } from '../../projections/retrying-handler';
import { createEventBus, type BusConfig } from '../adapters';
import {
  emptyReport,
  type AppliedReport,
  type ReadModelTarget,
  type RelayPublisherSettings,
} from './read-models-messages';

/** What the read models' thread does with a batch of each target (the same as for a handed-over one). */
export interface ThreadTargets {
  projections(events: readonly StoredEvent[]): Promise<void>;
  analytics(events: readonly StoredEvent[]): Promise<AppliedReport>;
}

export interface Stoppable {
  close(): Promise<void>;
}

/**
 * The thread as the Kafka consumer of the `projections` and `analytics` groups: its own bus
 * connection, the projections' retries (an absent store waited for, a failing batch parked), and
 * every commit reported so that the server can wake its readers and count.
 */
export async function consumeOnThread(
  busConfig: BusConfig,
  deps: {
    logger: Logger;
    targets: ThreadTargets;
    closing(): boolean;
    onApplied(target: ReadModelTarget, events: number, report: AppliedReport, position: number): void;
    onProjectionFailure(): void;
  },
): Promise<Stoppable> {
  const bus = await createEventBus(busConfig, deps.logger);
  const projections = retryingProjections(
    { handle: deps.targets.projections },
    { logger: deps.logger, onFailure: deps.onProjectionFailure, closing: deps.closing },
  );
  const subscriptions: BusSubscription[] = [];
  const subscribe = async (options: BusSubscribeOptions) => subscriptions.push(await bus.subscribe(options));
  try {
    await subscribe({
      group: 'projections',
      fromBeginning: true,
      handler: async (events) => {
        await projections(events);
        deps.onApplied('projections', events.length, emptyReport(), events.at(-1)!.globalPosition);
      },
    });
    await subscribe({
      group: ANALYTICS_GROUP,
      fromBeginning: true,
      gatherMs: ANALYTICS_GATHER_MS,
      handler: async (events) =>
        deps.onApplied(
          'analytics',
          events.length,
          await deps.targets.analytics(events),
          events.at(-1)!.globalPosition,
        ),
    });
  } catch (error) {
    await Promise.allSettled(subscriptions.map((s) => s.close()));
    await bus.close();
    throw error;
  }
  return {
    async close() {
      await Promise.all(subscriptions.map((s) => s.close()));
      await bus.close();
    },
  };
}

/**
 * The analytics relay on the thread (the node holds its lease): reads the log on the thread's
 * connection and is woken by the thread's own analytics commits (`onCommitted`).
 */
export async function relayOnThread(
  settings: RelayPublisherSettings,
  deps: {
    store: ProjectionStore;
    logger: Logger;
    onCommitted(listener: () => void): () => void;
    onPublished(records: number): void;
  },
): Promise<Stoppable> {
  // kafkajs is loaded only by a thread that publishes (app/adapters.ts says why).
  const { createKafkaRecordPublisher } = await import('../../infra/analytics/kafka-record-publisher');
  const publisher = await createKafkaRecordPublisher({ ...settings, logger: deps.logger });
  const relay = createRelay({
    store: deps.store,
    publisher,
    logger: deps.logger,
    onCommitted: deps.onCommitted,
    onPublished: deps.onPublished,
  });
  relay.start();
  return {
    async close() {
      await relay.stop();
      await publisher.close();
    },
  };
}
