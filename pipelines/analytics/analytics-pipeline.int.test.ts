import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ProjectionStore } from '../../domain/ports/projection-store';
import type { StoredEvent } from '../../domain/shared/envelope';
import { createInProcessEventBus } from '../../infra/bus/in-process-event-bus';
import { createSqliteEventStore } from '../../infra/event-store/sqlite-event-store';
import { createSqliteProjectionStore } from '../../infra/projection-store/sqlite-projection-store';
import { busyMorning, projectionSpecWorld } from '../../projections/projection.spec-helper';
import { BY_MEETING, readLog, readMeetingRecords, sequenceKey, type LogEntry } from './analytics-log';
import { createAnalyticsPipeline, PARKED } from './analytics-pipeline';
import { AnalyticsRecordSchema, recordSchema, type AnalyticsRecord } from './records';

const dir = mkdtempSync(join(tmpdir(), 'confer-analytics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const toClose: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const c of toClose.splice(0).reverse()) await c.close();
});

const options = {
  chatContent: false,
  source: 'https://confer.test/analytics',
  schemaBase: 'https://confer.test/docs/analytics',
};
const silent = { warn: () => undefined, error: () => undefined };

function openStore(name = randomUUID()): ProjectionStore {
  const store = createSqliteProjectionStore({ path: join(dir, `${name}.read.db`) });
  toClose.push(store);
  return store;
}

async function morningHistory(): Promise<StoredEvent[]> {
  const world = projectionSpecWorld({
    events: createSqliteEventStore({ path: join(dir, `${randomUUID()}.events.db`) }),
    store: createSqliteProjectionStore({ path: join(dir, `${randomUUID()}.scratch.db`) }),
    projections: [],
  });
  await busyMorning(world);
  const history = await world.history();
  await world.close();
  return history;
}

async function wholeLog(store: ProjectionStore): Promise<LogEntry[]> {
  const all: LogEntry[] = [];
  for (let after = 0; ;) {
    const page = await readLog(store, after, 7);
    all.push(...page.records);
    if (page.records.length === 0) return all;
    after = Number(page.next);
  }
}

/** What a careful consumer checks: schema, contiguous sequence per meeting, one content per id. */
function expectWellFormed(records: readonly AnalyticsRecord[]): void {
  const next = new Map<string, number>();
  const byId = new Map<string, string>();
  for (const record of records) {
    expect(AnalyticsRecordSchema.parse(record)).toEqual(record);
    recordSchema(record.type).parse(record);
    const expected = (next.get(record.subject) ?? 0) + 1;
    expect(record.sequence, `meeting ${record.subject}`).toBe(expected);
    next.set(record.subject, expected);
    const content = JSON.stringify(record);
    expect(byId.get(record.id) ?? content).toBe(content);
    byId.set(record.id, content);
  }
}

describe('analytics pipeline on the in-process bus and SQLite', () => {
  it('turns a morning of meetings into well-formed, contiguous records, readable by cursor and by meeting', async () => {
    const history = await morningHistory();
    const store = openStore();
    const bus = createInProcessEventBus();
    toClose.push(bus);
    const pipeline = createAnalyticsPipeline({ ...options, bus, store, logger: silent });
    await pipeline.start();
    toClose.push({ close: () => pipeline.stop() });
    for (let i = 0; i < history.length; i += 5) await bus.publish(history.slice(i, i + 5));

    const log = await wholeLog(store);
    const records = log.map((e) => e.record);
    expectWellFormed(records);
    expect(log.map((e) => Number(e.cursor))).toEqual(records.map((_, i) => i + 1));
    const types = new Set(records.map((r) => r.type));
    for (const type of [
      'confer.meeting.started.v1',
      'confer.meeting.ended.v1',
      'confer.participant.joined.v1',
      'confer.participant.left.v1',
      'confer.participant.waiting.v1',
      'confer.participant.denied.v1',
      'confer.chat.message.v1',
      'confer.hand.raised.v1',
      'confer.screenshare.started.v1',
      'confer.talk-time.final.v1',
    ])
      expect(types, type).toContain(type);
    // Chat text stays out unless the deployment allows it.
    expect(
      records.filter((r) => r.type === 'confer.chat.message.v1').every((r) => r.data.content === null),
    ).toBe(true);

    const standup = await readMeetingRecords(store, 'standup', 0, 1000);
    expect(standup.records.map((e) => e.record)).toEqual(records.filter((r) => r.subject === 'standup'));
    const after3 = await readMeetingRecords(store, 'standup', 3, 2);
    expect(after3.records.map((e) => e.record.sequence)).toEqual([4, 5]);
    expect(after3.next).toBe('5');
    // A reader at the end gets nothing, and keeps its place.
    const end = await readLog(store, log.length, 10);
    expect(end).toEqual({ records: [], next: String(log.length) });

    // The meeting's index points into the log: each record is stored once.
    const index = await store.range(BY_MEETING, 'standup', { order: 'asc', limit: 1000 });
    expect(index.length).toBe(standup.records.length);
    for (const { doc } of index) expect(Object.keys(doc)).toEqual(['cursor']);

    // Index entries written before that (record and cursor) read as they did.
    const first = standup.records[0]!;
    await store.transaction((tx) =>
      tx.put(BY_MEETING, 'standup', sequenceKey(first.record.sequence), {
        record: { ...first.record, id: 'kept-as-written' },
        cursor: Number(log.find((e) => e.record.id === first.record.id)!.cursor),
      }),
    );
    const mixed = await readMeetingRecords(store, 'standup', 0, 1000);
    expect(mixed.records.map((e) => e.record.id)).toEqual([
      'kept-as-written',
      ...standup.records.slice(1).map((e) => e.record.id),
    ]);
  });

  it('after a crash and a redelivery, publishes no gap and no id with other content', async () => {
    const history = await morningHistory();
    const reference = openStore();
    await createAnalyticsPipeline({
      ...options,
      bus: createInProcessEventBus(),
      store: reference,
      logger: silent,
    }).handle(history);

    const name = randomUUID();
    const first = openStore(name);
    const crashed = createAnalyticsPipeline({
      ...options,
      bus: createInProcessEventBus(),
      store: first,
      logger: silent,
    });
    await crashed.handle(history.slice(0, 17));
    await first.close(); // the process dies here
    const second = openStore(name);
    const restarted = createAnalyticsPipeline({
      ...options,
      bus: createInProcessEventBus(),
      store: second,
      logger: silent,
    });
    // The bus redelivers from before the crash (at-least-once), in other batch sizes.
    for (let i = 9; i < history.length; i += 4) await restarted.handle(history.slice(i, i + 4));
    await restarted.handle(history);

    const again = (await wholeLog(second)).map((e) => e.record);
    expectWellFormed(again);
    expect(again).toEqual((await wholeLog(reference)).map((e) => e.record));
  });

  it('parks a poison event, counts it, and records everything else', async () => {
    const history = await morningHistory();
    const poison: StoredEvent = {
      ...history[5]!,
      eventId: 'poison-1',
      type: 'ChatMessageSent',
      data: { content: 42 },
      streamRevision: 999,
      globalPosition: 999_999,
    };
    const store = openStore();
    const parked: string[] = [];
    const pipeline = createAnalyticsPipeline({
      ...options,
      bus: createInProcessEventBus(),
      store,
      logger: silent,
      onParked: (event) => parked.push(event.eventId),
    });
    await pipeline.handle([...history.slice(0, 10), poison]);
    await pipeline.handle(history.slice(10));
    expect(parked).toEqual(['poison-1']);
    expect(await store.get(PARKED, poison.meetingId, 'poison-1')).toMatchObject({ type: 'ChatMessageSent' });
    const reference = openStore();
    await createAnalyticsPipeline({
      ...options,
      bus: createInProcessEventBus(),
      store: reference,
      logger: silent,
    }).handle(history);
    expect((await wholeLog(store)).map((e) => e.record)).toEqual(
      (await wholeLog(reference)).map((e) => e.record),
    );
  });
});
