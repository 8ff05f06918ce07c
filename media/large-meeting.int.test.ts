import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../domain/ports/event-store';
import { createInProcessEventBus } from '../infra/bus/in-process-event-bus';
import { createSqliteEventStore } from '../infra/event-store/sqlite-event-store';
import type { FakeClient } from './testing/fake-client';
import { startMediaTestbed, type MediaTestbed } from './testing/testbed';

/*
 * Meetings that outgrow one worker: a router on a second worker, producers piped between them.
 */

const dirs: string[] = [];
const stores: EventStore[] = [];
const beds: MediaTestbed[] = [];

async function testbed(sfu: {
  consumersPerWorker: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  qualityIntervalMs?: number;
}) {
  const dir = mkdtempSync(join(tmpdir(), 'confer-media-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const bed = await startMediaTestbed({ store, bus: createInProcessEventBus(), sfu: { workers: 2, ...sfu } });
  dirs.push(dir);
  stores.push(store);
  beds.push(bed);
  return bed;
}

afterAll(async () => {
  for (const bed of beds) await bed.close();
  for (const store of stores) await store.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Joins `count` participants one after another; each negotiates, consumes everything, then publishes. */
async function fill(
  bed: MediaTestbed,
  meetingId: string,
  count: number,
  publish: (i: number) => Array<'microphone' | 'camera'>,
) {
  const clients: FakeClient[] = [];
  for (let i = 0; i < count; i++) {
    const client = await bed.join(meetingId, `P${i}`);
    client.autoConsume = true;
    await client.setup();
    for (const source of publish(i)) await client.produce(source);
    clients.push(client);
  }
  return clients;
}

describe('a meeting past one worker’s budget', () => {
  let bed: MediaTestbed;
  beforeAll(async () => {
    bed = await testbed({
      consumersPerWorker: 10,
      rtcMinPort: 44000,
      rtcMaxPort: 44999,
      qualityIntervalMs: 300,
    });
  });

  it('spreads to a router on the other worker, and consumers there receive producers piped from the first', async () => {
    const meetingId = await bed.createMeeting();
    const clients = await fill(bed, meetingId, 6, () => ['microphone', 'camera']);
    const expected = 6 * 5 * 2;
    await bed.eventually(
      () => clients.reduce((n, c) => n + c.consumers.size, 0) === expected,
      `${expected} consumers`,
    );
    const meeting = bed.sfu.describeMeeting(meetingId)!;
    expect(meeting.routers).toHaveLength(2);
    expect(new Set(meeting.routers.map((r) => r.workerPid)).size).toBe(2);
    const [first, second] = meeting.routers.map((r) => r.routerId);
    const routerOf = new Map(meeting.participants.map((p) => [p.participantId, p.routerId]));
    const onSecond = clients.find((c) => routerOf.get(c.participantId) === second)!;
    const fromFirst = [...onSecond.consumers.values()].filter(
      (c) => routerOf.get(c.answer.participantId) === first,
    );
    expect(fromFirst.length).toBeGreaterThan(0);
    // ...and through a PipeTransport pair between the two routers.
    expect([...bed.census.transports].filter((t) => t.constructor.name === 'PipeTransport')).toHaveLength(2);
    for (const c of fromFirst) expect(bed.census.consumers.get(c.answer.consumerId)?.closed).toBe(false);

    // Connection quality of everyone, pushed to everyone: merged as a client merges the messages
    // (the first has everyone then present, each later one what changed).
    const known = await onSecond.until(() => {
      const merged = Object.assign({}, ...onSecond.messages('media:quality').map((m) => m.participants));
      return Object.keys(merged).length === 6 ? merged : undefined;
    }, "everyone's connection quality");
    expect(Object.keys(known).sort()).toEqual(clients.map((c) => c.participantId).sort());
  });
});

describe('a 100-participant meeting', () => {
  it('negotiates everyone: each consumes every other microphone and camera', async () => {
    const bed = await testbed({ consumersPerWorker: 500, rtcMinPort: 45000, rtcMaxPort: 46999 });
    const meetingId = await bed.createMeeting();
    const count = 100;
    const clients = await fill(bed, meetingId, count, () => ['microphone', 'camera']);
    const expected = count * (count - 1) * 2;
    await bed.eventually(
      () => clients.reduce((n, c) => n + c.consumers.size, 0) === expected,
      `${expected} consumers`,
      240_000,
    );
    const meeting = bed.sfu.describeMeeting(meetingId)!;
    expect(meeting.participants).toHaveLength(count);
    // Past 500 consumers on the first worker, newcomers went to a router on the second.
    expect(meeting.routers).toHaveLength(2);
    for (const { routerId } of meeting.routers)
      expect(meeting.participants.filter((p) => p.routerId === routerId).length).toBeGreaterThan(0);
    expect(bed.sfu.stats()).toMatchObject({ workers: 2, routers: 2, transports: 2 * count + 2 });
  }, 300_000);
});
