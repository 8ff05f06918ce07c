import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { StoreUnavailableError } from '../../domain/ports/event-store';
import { createAnalyticsHandler } from '../../pipelines/analytics/analytics-handler';
import { ANALYTICS_PROJECTION } from '../../pipelines/analytics/analytics.projection';
import { allProjections, createProjectionRunner } from '../../projections';
import { createProjectionStore, type BusConfig } from '../adapters';
import {
  emptyReport,
  type AppliedReport,
  type FromReadModels,
  type ReadModelTarget,
  type ReadModelsSettings,
  type RelayPublisherSettings,
  type TailSettings,
  type ToReadModels,
} from './read-models-messages';
import { consumeOnThread, relayOnThread, type Stoppable, type ThreadTargets } from './thread-kafka';
import { setThreadIdlePolicy, setThreadNiceness } from './thread-priority';
import { tailOnThread } from './thread-tail';

/**
 * The read models' own thread: applies each batch the main thread hands over with the same code
 * the main thread would run (the projections' runner, the analytics handler: checkpoints in the
 * same transaction as the data, so at-least-once batches stay harmless), on a projection store
 * connection of its own. The server's event loop then only copies the batch across. On Kafka it
 * is the groups' consumer itself (`consume`), and the analytics relay runs here too while this
 * node holds its lease: the Kafka client work of both stays off the server's event loop. On the
 * embedded store and bus it follows the event store's file itself (`tail`): nothing is handed over.
 */
const settings = workerData as ReadModelsSettings;
const port = parentPort!;
const logger = pino({ level: settings.logLevel, base: { node: settings.nodeId, part: 'read-models' } });
// Feeding itself, the thread holds up nothing on the server's thread: when the cores are all
// busy, the scheduler runs commands and broadcasts first and the read models catch up after.
if ((settings.consume ?? settings.tail) && settings.niceness) {
  const refused = setThreadNiceness(settings.niceness);
  if (refused)
    logger.warn({ niceness: settings.niceness, reason: refused }, 'read models thread keeps its priority');
  const notIdle = settings.idlePolicy ? setThreadIdlePolicy() : undefined;
  if (notIdle) logger.warn({ reason: notIdle }, 'read models thread keeps the normal scheduling policy');
}
const store = await createProjectionStore(settings.store);
const projections = createProjectionRunner({ store, projections: allProjections(), logger });
/** What the analytics handler reported during the batch in hand (for the server's metrics). */
let report: AppliedReport = emptyReport();
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

/** What the thread does with a batch of each target, handed over or consumed here. */
const targets: ThreadTargets = {
  projections: async (events) => void (await projections.handle(events)),
  async analytics(events) {
    report = emptyReport();
    const mine = report;
    await analytics.handle(events);
    for (const listener of analyticsCommitted) listener();
    return mine;
  },
};

/** The thread's own feed of both targets (Kafka's groups, or the event store), and the relay. */
let closing = false;
let consumer: Promise<Stoppable> | undefined;
const analyticsCommitted = new Set<() => void>();
let relaying: Promise<Stoppable> | undefined;

const reporting = {
  closing: () => closing,
  onApplied: (target: ReadModelTarget, events: number, applied: AppliedReport, position: number) =>
    port.postMessage({ type: 'applied', target, events, position, report: applied } satisfies FromReadModels),
  onProjectionFailure: () => port.postMessage({ type: 'projection-failure' } satisfies FromReadModels),
};
const consume = (busConfig: BusConfig) => consumeOnThread(busConfig, { logger, targets, ...reporting });
/** On the embedded store and bus: the thread follows the event store itself (settings.tail). */
const followStore = (tailSettings: TailSettings) =>
  tailOnThread(tailSettings, {
    logger,
    store,
    targets,
    projectionNames: allProjections().map((p) => p.name),
    analyticsNames: [ANALYTICS_PROJECTION],
    ...reporting,
  });

const startRelay = (publisher: RelayPublisherSettings) =>
  relayOnThread(publisher, {
    store,
    logger,
    onCommitted: (listener) => {
      analyticsCommitted.add(listener);
      return () => analyticsCommitted.delete(listener);
    },
    onPublished: (records) => port.postMessage({ type: 'relayed', records } satisfies FromReadModels),
  });

async function stopRelay(): Promise<void> {
  const running = relaying;
  relaying = undefined;
  await (await running?.catch(() => undefined))?.close();
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
    if (settings.consume) consumer ??= consume(settings.consume);
    else if (settings.tail) consumer ??= followStore(settings.tail);
    else return;
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
    try {
      let done = emptyReport();
      if (message.target === 'projections') await targets.projections(message.events);
      else done = await targets.analytics(message.events);
      port.postMessage({ type: 'done', id: message.id, report: done } satisfies FromReadModels);
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
