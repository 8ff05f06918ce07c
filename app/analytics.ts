import type { Logger } from 'pino';
import type { EventBus } from '../domain/ports/event-bus';
import type { ProjectionStore } from '../domain/ports/projection-store';
import type { RecordPublisher } from '../domain/ports/record-publisher';
import type { AnalyticsQueries } from '../gateways/http/analytics.routes';
import {
  parseCursor,
  readLog,
  readMeetingRecords,
  resolveMeetingEntries,
  type MeetingEntry,
} from '../pipelines/analytics/analytics-log';
import { createAnalyticsPipeline, type AnalyticsPipeline } from '../pipelines/analytics/analytics-pipeline';
import { insightsOf } from '../pipelines/analytics/insights';
import { analyticsJsonSchemas } from '../pipelines/analytics/json-schemas';
import { createRelay, type Relay } from '../pipelines/analytics/relay';
import {
  clampReport,
  recordTelemetry,
  windowStartOf,
  type TelemetryReport,
} from '../pipelines/analytics/telemetry';
import { Lru } from '../domain/shared/lru';
import { readWholePartition } from '../projections/paging';
import { BY_MEETING } from '../pipelines/analytics/analytics-log';
import type { StoredEvent } from '../domain/shared/envelope';
import type { Config } from './config';
import type { AppliedReport } from './read-models/read-models-messages';
import type { ReadModelsThread } from './read-models/read-models-thread';
import type { Metrics } from './metrics';
import type { QualitySample } from '../media/quality';
import type { QualityReport } from '../pipelines/analytics/telemetry';

const meanOf = (values: number[]) =>
  values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null;
const maxOf = (values: number[]) => (values.length > 0 ? Math.max(...values) : null);

/** Prometheus distributions of what a report says (figures as recorded, clamped). */
function observeReport(metrics: Metrics, report: TelemetryReport): void {
  if (report.kind === 'join-failure') return; // counted where it happened (confer_join_failures_total)
  if (report.kind === 'first-frame') {
    metrics.firstFrame.observe(report.ms / 1000);
    return;
  }
  const { rttMs, lossPct, jitterMs } = clampReport(report.report);
  const labels = { origin: report.origin };
  if (rttMs !== null) metrics.rtt.observe(labels, rttMs / 1000);
  if (lossPct !== null) metrics.loss.observe(labels, lossPct / 100);
  if (jitterMs !== null) metrics.jitter.observe(labels, jitterMs / 1000);
}

/** The SFU's raw figures as one report: mean round trip, worst loss and jitter, split bitrates. */
function sfuReport(sample: QualitySample): QualityReport {
  return {
    rttMs: meanOf(sample.rttMs),
    lossPct: maxOf(sample.lossPct),
    jitterMs: maxOf(sample.jitterMs),
    sentKbps: sample.sentBps / 1000,
    receivedKbps: sample.receivedBps / 1000,
  };
}

export interface Analytics {
  pipeline: AnalyticsPipeline;
  queries: AnalyticsQueries;
  /** Records a quality sample or a client report; false when its 10 s slot was taken (rate-limited). */
  record(meetingId: string, report: TelemetryReport): Promise<boolean>;
  /** A refused or failed join of an existing meeting (bounded per meeting and window). */
  joinFailed(meetingId: string, code: string, requestId: string): void;
  /** The SFU's measurements of a round: one sample per participant per 10 s window is kept. */
  sfuSamples(meetingId: string, samples: Record<string, QualitySample>): void;
  /** Starts the Kafka relay (BUS=kafka), on the node holding its lease. */
  startRelay(): Promise<void>;
  stopRelay(): Promise<void>;
  close(): Promise<void>;
}

/** Where analytics records say they come from, and where their schemas are. */
export const analyticsEnvelope = (config: Pick<Config, 'publicUrl'>) => ({
  source: `${config.publicUrl}/analytics`,
  schemaBase: `${config.publicUrl}/docs/analytics`,
});

/** Wires the analytics pipeline: consumer, reads for the routes, telemetry, and the Kafka relay. */
export function createAnalytics(deps: {
  config: Config;
  bus: EventBus;
  store: ProjectionStore;
  logger: Logger;
  metrics: Metrics;
  /** The read models' own thread: the pipeline's batches are applied there (app/read-models/). */
  thread?: Pick<
    ReadModelsThread,
    'apply' | 'onApplied' | 'consumes' | 'startRelay' | 'stopRelay' | 'onRelayed'
  >;
}): Analytics {
  const { config, store, thread } = deps;
  const logger = deps.logger.child({ part: 'analytics' });
  const envelope = analyticsEnvelope(config);
  const observeApplied = (report: AppliedReport) => {
    deps.metrics.analyticsParked.inc(report.parked);
    for (const ms of report.meetingDurationsMs) deps.metrics.meetingDuration.observe(ms / 1000);
  };
  const pipeline = createAnalyticsPipeline({
    ...(thread
      ? {
          apply: async (events: readonly StoredEvent[]) =>
            observeApplied(await thread.apply('analytics', events)),
          subscribe: !thread.consumes,
        }
      : {}),
    ...envelope,
    chatContent: config.ANALYTICS_CHAT_CONTENT,
    bus: deps.bus,
    store,
    logger,
    onParked: () => deps.metrics.analyticsParked.inc(),
    onRecords: (records) => {
      for (const r of records)
        if (r.type === 'confer.meeting.ended.v1')
          deps.metrics.meetingDuration.observe(r.data.durationMs / 1000);
    },
    onRecorded: (n) => deps.metrics.analyticsEvents.inc(n),
  });
  // The thread as the group's consumer (Kafka): its commits counted here, the readers woken.
  thread?.onApplied((target, events, report) => {
    if (target !== 'analytics') return;
    observeApplied(report);
    pipeline.committed(events);
  });
  const schemas = analyticsJsonSchemas();
  const page = (p: Awaited<ReturnType<typeof readLog>>) => ({
    records: p.records.map((e) => ({
      cursor: e.cursor,
      record: e.record as unknown as Record<string, unknown>,
    })),
    next: p.next,
  });
  const queries: AnalyticsQueries = {
    log: async (after, limit) => page(await readLog(store, parseCursor(after), limit)),
    meeting: async (meetingId, after, limit) =>
      page(await readMeetingRecords(store, meetingId, parseCursor(after), limit)),
    onCommitted: (listener) => pipeline.onCommitted(listener),
    schemas: () => schemas,
    report: (meetingId, report) => record(meetingId, report),
    async insights(meetingId) {
      const rows = await readWholePartition<MeetingEntry>(store, BY_MEETING, meetingId);
      return {
        ...insightsOf(
          meetingId,
          await resolveMeetingEntries(
            store,
            rows.map((r) => r.doc),
          ),
        ),
      };
    },
  };

  async function record(meetingId: string, report: TelemetryReport): Promise<boolean> {
    const taken = await recordTelemetry(store, meetingId, report, Date.now(), envelope);
    if (taken) {
      deps.metrics.analyticsEvents.inc();
      observeReport(deps.metrics, report);
    }
    return taken;
  }

  const sfuWindows = new Lru<string, number>(50_000);
  let publisher: RecordPublisher | undefined;
  let relay: Relay | undefined;
  let relayOnThread = false;
  thread?.onRelayed((records) => deps.metrics.analyticsPublished.inc(records));
  return {
    pipeline,
    queries,
    record,
    joinFailed(meetingId, code, requestId) {
      void record(meetingId, { kind: 'join-failure', code, requestId }).catch((error: unknown) =>
        logger.warn({ err: error, meetingId }, 'could not record a join failure'),
      );
    },
    sfuSamples(meetingId, samples) {
      const window = windowStartOf(Date.now());
      for (const [participantId, sample] of Object.entries(samples)) {
        // The SFU measures more often than one window: skip the rounds whose slot is taken
        // without a transaction (the store's check stays the authority).
        const key = `${meetingId}:${participantId}`;
        if ((sfuWindows.get(key) ?? -1) >= window) continue;
        sfuWindows.set(key, window);
        const report = sfuReport(sample);
        void record(meetingId, { kind: 'quality', participantId, origin: 'sfu', report }).catch(
          (error: unknown) =>
            logger.warn({ err: error, meetingId }, 'could not record an SFU quality sample'),
        );
      }
    },
    async startRelay() {
      if (config.BUS !== 'kafka') return;
      const settings = {
        brokers: config.KAFKA_BROKERS!,
        clientId: `confer-analytics-${config.nodeId}`,
        topic: config.KAFKA_ANALYTICS_TOPIC,
        partitions: config.KAFKA_PARTITIONS,
      };
      // Where the analytics group is consumed, so that it is woken by the commits it publishes.
      if (thread?.consumes) {
        relayOnThread = true;
        await thread.startRelay(settings);
        return;
      }
      const { createKafkaRecordPublisher } = await import('../infra/analytics/kafka-record-publisher');
      publisher = await createKafkaRecordPublisher({ ...settings, logger });
      relay = createRelay({
        store,
        publisher,
        logger,
        onCommitted: (listener) => pipeline.onCommitted(listener),
        onPublished: (n) => deps.metrics.analyticsPublished.inc(n),
      });
      relay.start();
    },
    async stopRelay() {
      if (relayOnThread) {
        relayOnThread = false;
        await thread?.stopRelay();
      }
      await relay?.stop();
      await publisher?.close();
      relay = undefined;
      publisher = undefined;
    },
    async close() {
      await this.stopRelay();
      await pipeline.stop();
    },
  };
}
