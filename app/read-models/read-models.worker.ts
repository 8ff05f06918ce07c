import { parentPort, workerData } from 'node:worker_threads';
import type { BusSubscribeOptions, BusSubscription } from '../../domain/ports/event-bus';
import pino from 'pino';
import { StoreUnavailableError } from '../../domain/ports/event-store';
import { createAnalyticsHandler } from '../../pipelines/analytics/analytics-handler';
import { allProjections, createProjectionRunner } from '../../projections';
import { createKafkaRecordPublisher } from '../../infra/analytics/kafka-record-publisher';
import { ANALYTICS_GATHER_MS, ANALYTICS_GROUP } from '../../pipelines/analytics/analytics-pipeline';
import { createRelay } from '../../pipelines/analytics/relay';
import { retryingProjections } from '../../projections/retrying-handler';
import { createEventBus, createProjectionStore, type BusConfig } from '../adapters';
import type {
  AppliedReport,
  FromReadModels,
  ReadModelsSettings,
  RelayPublisherSettings,
  ToReadModels,
} from './read-models-messages';

/**
 * The read models' own thread: applies each batch the main thread hands over with the same code
 * the main thread would run (the projections' runner, the analytics handler: checkpoints in the
 * same transaction as the data, so at-least-once batches stay harmless), on a projection store
 * connection of its own. The server's event loop then only copies the batch across. On Kafka it
 * is the groups' consumer itself (`consume`), and the analytics relay runs here too while this
 * node holds its lease: the Kafka client work of both stays off the server's event loop.
 */
const settings = workerData as ReadModelsSettings;
const port = parentPort!;
const logger = pino({ level: settings.logLevel, base: { node: settings.nodeId, part: 'read-models' } });
const store = await createProjectionStore(settings.store);
const projections = createProjectionRunner({ store, projections: allProjections(), logger });
/** What the analytics handler reported during the batch in hand (for the server's metrics). */
let report: AppliedReport = { parked: 0, meetingDurationsMs: [] };
const analytics = createAnalyticsHandler({
  ...settings.analytics,
  store,
  logger,
  onParked: () => void report.parked++,
  onRecords: (records) => {
    for (const r of records)
      if (r.type === 'confer.meeting.ended.v1') report.meetingDurationsMs.push(r.data.durationMs);
  },
});

/** On Kafka: the thread's own consumers of both groups (settings.consume). */
let closing = false;
let consumer: Promise<{ close(): Promise<void> }> | undefined;

async function consume(busConfig: BusConfig): Promise<{ close(): Promise<void> }> {
  const bus = await createEventBus(busConfig, logger);
  const projectionsHandler = retryingProjections(projections, {
    logger,
    onFailure: () => port.postMessage({ type: 'projection-failure' } satisfies FromReadModels),
    closing: () => closing,
  });
  const subscriptions: BusSubscription[] = [];
  const subscribe = async (options: BusSubscribeOptions) => subscriptions.push(await bus.subscribe(options));
  try {
    await subscribe({
      group: 'projections',
      fromBeginning: true,
      handler: async (events) => {
        await projectionsHandler(events);
        // Projections report nothing: `report` is the analytics handler's (the groups run side by side).
        port.postMessage({
          type: 'applied',
          target: 'projections',
          events: events.length,
          report: { parked: 0, meetingDurationsMs: [] },
        } satisfies FromReadModels);
      },
    });
    await subscribe({
      group: ANALYTICS_GROUP,
      fromBeginning: true,
      gatherMs: ANALYTICS_GATHER_MS,
      handler: async (events) => {
        report = { parked: 0, meetingDurationsMs: [] };
        await analytics.handle(events);
        for (const listener of analyticsCommitted) listener();
        port.postMessage({
          type: 'applied',
          target: 'analytics',
          events: events.length,
          report,
        } satisfies FromReadModels);
      },
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

/** The analytics relay, while this node holds its lease (on Kafka, beside the thread's consumers). */
const analyticsCommitted = new Set<() => void>();
let relaying: Promise<{ stop(): Promise<void> }> | undefined;

async function startRelay(settings: RelayPublisherSettings): Promise<{ stop(): Promise<void> }> {
  const publisher = await createKafkaRecordPublisher({ ...settings, logger });
  const relay = createRelay({
    store,
    publisher,
    logger,
    onCommitted: (listener) => {
      analyticsCommitted.add(listener);
      return () => analyticsCommitted.delete(listener);
    },
    onPublished: (records) => port.postMessage({ type: 'relayed', records } satisfies FromReadModels),
  });
  relay.start();
  return {
    async stop() {
      await relay.stop();
      await publisher.close();
    },
  };
}

async function stopRelay(): Promise<void> {
  const running = relaying;
  relaying = undefined;
  await (await running?.catch(() => undefined))?.stop();
}

// One batch at a time, in arrival order (each target's bus group sends one batch at a time anyway).
let tail: Promise<unknown> = Promise.resolve();
port.on('message', (message: ToReadModels) => {
  if (message.type === 'relay-start') {
    relaying ??= startRelay(message.publisher);
    relaying.then(
      () => port.postMessage({ type: 'relay-started' } satisfies FromReadModels),
      (error: unknown) => {
        relaying = undefined;
        port.postMessage({
          type: 'relay-started',
          error: error instanceof Error ? error.message : String(error),
        } satisfies FromReadModels);
      },
    );
    return;
  }
  if (message.type === 'relay-stop') {
    void stopRelay().finally(() => port.postMessage({ type: 'relay-stopped' } satisfies FromReadModels));
    return;
  }
  if (message.type === 'close') {
    closing = true;
    analytics.stop();
    void tail
      .then(stopRelay)
      .then(async () => (await consumer?.catch(() => undefined))?.close())
      .then(() => store.close())
      .finally(() => port.postMessage({ type: 'closed' } satisfies FromReadModels));
    return;
  }
  if (message.type === 'consume') {
    if (!settings.consume) return;
    consumer ??= consume(settings.consume);
    consumer.then(
      () => port.postMessage({ type: 'consuming' } satisfies FromReadModels),
      (error: unknown) =>
        port.postMessage({
          type: 'consuming',
          error: error instanceof Error ? error.message : String(error),
        } satisfies FromReadModels),
    );
    return;
  }
  tail = tail.then(async () => {
    report = { parked: 0, meetingDurationsMs: [] };
    try {
      if (message.target === 'projections') await projections.handle(message.events);
      else await analytics.handle(message.events);
      port.postMessage({ type: 'done', id: message.id, report } satisfies FromReadModels);
    } catch (error) {
      port.postMessage({
        type: 'failed',
        id: message.id,
        // The store being away says nothing about the events: the caller waits and retries.
        retryable: error instanceof StoreUnavailableError,
        message: error instanceof Error ? error.message : String(error),
      } satisfies FromReadModels);
    }
  });
});
port.postMessage({ type: 'ready' } satisfies FromReadModels);
