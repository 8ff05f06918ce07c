import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import type { EventBus } from '../domain/ports/event-bus';
import type { EventToAppend, StoredEvent } from '../domain/shared/envelope';
import { createKafkaRecordPublisher } from '../infra/analytics/kafka-record-publisher';
import { createSqliteEventStore } from '../infra/event-store/sqlite-event-store';
import { createSqliteProjectionStore } from '../infra/projection-store/sqlite-projection-store';
import { createAnalyticsPipeline } from '../pipelines/analytics/analytics-pipeline';
import { createRelay } from '../pipelines/analytics/relay';
import { sequenceRecords } from '../pipelines/analytics/sequence';
import { takeReport } from '../pipelines/analytics/telemetry';
import { initialAnalyticsState } from '../pipelines/analytics/derive';
import { createEventForwarder } from '../pipelines/forwarder/event-forwarder';
import { chatToAppend } from '../test/support/chat-event';
import { percentile } from './stats';

export interface AnalyticsBenchResult {
  events: number;
  /** Offered append rate, events/s. */
  offeredPerSec: number;
  /** Source events turned into records (committed, or on the topic) per second. */
  recordsPerSec: number;
  /** Append call → the event's record committed (in-process) or received from the topic (Kafka). */
  p50Ms: number;
  p99Ms: number;
  /** Baseline in the same run: append call → the event's arrival at a no-op consumer group of the bus. */
  busP50Ms: number;
  busP99Ms: number;
}

const silent = pino({ level: 'silent' });

function chat(meetingId: string, n: number): EventToAppend {
  return chatToAppend(meetingId, {
    content: `a typical chat line ${n}`,
    senderId: 'p-1',
    senderName: 'Bench',
  });
}

/**
 * The analytics pipeline under a steady stream of chat appends: SQLite event store → forwarder →
 * `bus` → analytics consumer (records and checkpoint in a SQLite projection store) → with `kafka`,
 * the relay to an analytics topic and a consumer of it. Beside it, a no-op group on the same bus
 * gives the bus's own latency. Pure measurement: prints nothing, closes what it opened except `bus`.
 */
export async function benchAnalytics(options: {
  bus: EventBus;
  events: number;
  meetings: number;
  ratePerSec: number;
  kafka?: { brokers: string[] };
  maxInFlight: number;
}): Promise<AnalyticsBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'confer-bench-analytics-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const projections = createSqliteProjectionStore({ path: join(dir, 'read.db') });
  const appendedAt = new Map<number, number>();
  const byEventId = new Map<string, number>();
  const busLatency: number[] = [];
  const recordLatency: number[] = [];
  let firstAppend = 0;
  let lastRecord = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  /** Records seen before their append's acknowledgement was (the promise settles a moment later). */
  const early = new Map<number, number>();
  const measure = (sent: number, at: number) => {
    lastRecord = Math.max(lastRecord, at);
    recordLatency.push(at - sent);
    if (recordLatency.length === options.events) resolveDone();
  };
  const recorded = (globalPosition: number) => {
    const now = performance.now();
    const sent = appendedAt.get(globalPosition);
    if (sent === undefined) {
      if (!early.has(globalPosition)) early.set(globalPosition, now);
      return;
    }
    appendedAt.delete(globalPosition);
    measure(sent, now);
  };

  let position = 0;
  const forwarder = createEventForwarder({
    store,
    bus: options.bus,
    logger: silent,
    maxInFlight: options.maxInFlight,
    checkpoint: { load: async () => position, save: async (p) => void (position = p) },
  });
  const baseline = await options.bus.subscribe({
    group: `bench-noop-${randomUUID()}`,
    fromBeginning: true,
    handler: async (batch: StoredEvent[]) => {
      const now = performance.now();
      for (const e of batch) {
        const sent = byEventId.get(e.eventId);
        if (sent !== undefined) busLatency.push(now - sent);
        byEventId.delete(e.eventId);
      }
    },
  });
  const pipeline = createAnalyticsPipeline({
    bus: options.bus,
    store: projections,
    logger: silent,
    chatContent: false,
    source: 'https://bench/analytics',
    schemaBase: 'https://bench/docs/analytics',
  });
  const cleanups: Array<() => Promise<unknown>> = [];
  if (options.kafka) {
    const topic = `bench.analytics.${randomUUID().slice(0, 8)}`;
    const publisher = await createKafkaRecordPublisher({
      brokers: options.kafka.brokers,
      clientId: 'bench-analytics',
      topic,
      partitions: 6,
      logger: silent,
    });
    const relay = createRelay({
      store: projections,
      publisher,
      logger: silent,
      onCommitted: pipeline.onCommitted,
      pollMs: 50,
    });
    const consumer = new Kafka({
      clientId: 'bench-analyst',
      brokers: options.kafka.brokers,
      logLevel: logLevel.NOTHING,
    }).consumer({
      groupId: `bench-analyst-${randomUUID()}`,
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages)
          recorded((JSON.parse(message.value!.toString()) as { conferposition: number }).conferposition);
      },
    });
    relay.start();
    cleanups.push(
      () => relay.stop(),
      () => publisher.close(),
      () => consumer.disconnect(),
    );
    await options.bus
      .subscribe({ group: 'analytics', fromBeginning: true, handler: (b) => pipeline.handle(b) })
      .then((s) => cleanups.unshift(() => s.close()));
  } else {
    const sub = await options.bus.subscribe({
      group: 'analytics',
      fromBeginning: true,
      handler: async (batch) => {
        await pipeline.handle(batch);
        for (const e of batch) recorded(e.globalPosition);
      },
    });
    cleanups.unshift(() => sub.close());
  }
  await forwarder.start();

  const meetingIds = Array.from({ length: options.meetings }, () => randomUUID());
  const intervalMs = 1000 / options.ratePerSec;
  firstAppend = performance.now();
  const appends: Promise<void>[] = [];
  for (let i = 0; i < options.events; i++) {
    const due = firstAppend + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const meetingId = meetingIds[i % meetingIds.length]!;
    const event = chat(meetingId, i);
    const sent = performance.now();
    byEventId.set(event.eventId, sent);
    appends.push(
      store.append(`meeting-${meetingId}`, [event], { expectedRevision: 'any' }).then((r) => {
        const seen = early.get(r.lastPosition);
        if (seen === undefined) appendedAt.set(r.lastPosition, sent);
        else {
          early.delete(r.lastPosition);
          measure(sent, seen);
        }
      }),
    );
  }
  await Promise.all(appends);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    done,
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`analytics bench: ${recordLatency.length}/${options.events} recorded`)),
        120_000,
      );
    }),
  ]);
  clearTimeout(timer);
  await forwarder.stop();
  for (const cleanup of cleanups) await cleanup();
  await baseline.close();
  await projections.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  recordLatency.sort((a, b) => a - b);
  busLatency.sort((a, b) => a - b);
  return {
    events: options.events,
    offeredPerSec: options.ratePerSec,
    recordsPerSec: options.events / ((lastRecord - firstAppend) / 1000),
    p50Ms: percentile(recordLatency, 50),
    p99Ms: percentile(recordLatency, 99),
    busP50Ms: percentile(busLatency, 50),
    busP99Ms: percentile(busLatency, 99),
  };
}

/**
 * Quality samples: bytes per participant-hour. One sample per participant per 10 s from each
 * origin (SFU and client): 360 + 360 records an hour. Stored twice (the cursor log and the
 * meeting's order) plus the topic's copy.
 */
export function qualityBytesPerParticipantHour(): {
  recordBytes: number;
  perHourOnTopic: number;
  perHourStored: number;
} {
  const { draft } = takeReport(
    initialAnalyticsState(),
    {
      kind: 'quality',
      participantId: 'Xy3kP9qLm2Nv8RtWb5Zc1A',
      origin: 'client',
      report: { rttMs: 48.3, lossPct: 0.42, jitterMs: 7.9, sentKbps: 1450, receivedKbps: 2210 },
    },
    Date.parse('2026-12-01T10:00:00Z'),
  );
  const [record] = sequenceRecords(
    [draft!],
    {
      eventId: 'telemetry:x',
      meetingId: 'Ab3dE5gH7jK9mN1pQ3sT5v',
      occurredAt: '2026-12-01T10:00:03.123Z',
      globalPosition: null,
    },
    1234,
    {
      source: 'https://confer.example.com/analytics',
      schemaBase: 'https://confer.example.com/docs/analytics',
    },
  );
  const recordBytes = Buffer.byteLength(JSON.stringify(record));
  const perHourOnTopic = recordBytes * 360 * 2;
  return { recordBytes, perHourOnTopic, perHourStored: perHourOnTopic * 2 };
}
