import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../domain/ports/event-store';
import { createInProcessEventBus } from '../infra/bus/in-process-event-bus';
import { createSqliteEventStore } from '../infra/event-store/sqlite-event-store';
import { startMediaTestbed, type MediaTestbed } from './testing/testbed';

let dir: string;
let store: EventStore;
let bed: MediaTestbed;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'confer-media-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db') });
  bed = await startMediaTestbed({
    store,
    bus: createInProcessEventBus(),
    sfu: { workers: 2, rtcMinPort: 43000, rtcMaxPort: 43999 },
  });
});
afterAll(async () => {
  await bed?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function meetingWithMedia() {
  const meetingId = await bed.createMeeting();
  const ann = await bed.join(meetingId, 'Ann');
  const bob = await bed.join(meetingId, 'Bob');
  await ann.setup();
  await bob.setup();
  bob.autoConsume = true;
  const mic = await ann.produce('microphone');
  const cam = await ann.produce('camera');
  await bed.eventually(() => bed.census.ofMeeting(meetingId).consumers === 2, 'Bob consuming Ann');
  return { meetingId, ann, bob, mic, cam };
}

describe('a mediasoup worker killed', () => {
  it('is replaced; its meetings get a new router and their participants renegotiate', async () => {
    const hit = await meetingWithMedia();
    // The other meeting lands on the other (less loaded) worker and must not notice anything.
    const spared = await meetingWithMedia();
    const hitBefore = bed.sfu.describeMeeting(hit.meetingId)!.routers;
    const sparedBefore = bed.sfu.describeMeeting(spared.meetingId)!.routers;
    expect(hitBefore).toHaveLength(1);
    expect(sparedBefore[0]!.workerPid).not.toBe(hitBefore[0]!.workerPid);
    const deadPid = hitBefore[0]!.workerPid;

    process.kill(deadPid, 'SIGKILL');

    await hit.ann.next('media:renegotiate');
    await hit.bob.next('media:renegotiate');
    const pids = bed.sfu.workers().map((w) => w.pid);
    expect(pids).toHaveLength(2);
    expect(pids).not.toContain(deadPid);
    const hitAfter = bed.sfu.describeMeeting(hit.meetingId)!.routers;
    expect(hitAfter).toHaveLength(1);
    expect(hitAfter[0]!.routerId).not.toBe(hitBefore[0]!.routerId);
    expect(pids).toContain(hitAfter[0]!.workerPid);

    // The lost producers are recorded as unpublished, by the system.
    await bed.eventually(
      () =>
        bed.events.filter(
          (e) => e.meetingId === hit.meetingId && e.type === 'MediaUnpublished' && e.actor.type === 'system',
        ).length === 2,
      'two MediaUnpublished by the system',
    );

    // The other meeting kept its router, producers and consumers, and was told nothing.
    expect(bed.sfu.describeMeeting(spared.meetingId)!.routers).toEqual(sparedBefore);
    expect(bed.census.ofMeeting(spared.meetingId)).toMatchObject({ producers: 2, consumers: 2 });
    expect(spared.ann.messages('media:renegotiate')).toEqual([]);

    // Renegotiating works at once: new transports, producers and consumers on the new router.
    await hit.ann.setup();
    await hit.bob.setup();
    const mic = await hit.ann.produce('microphone');
    await hit.bob.until(
      () => hit.bob.messages('media:new-producer').some((m) => m.producerId === mic.id),
      'new mic',
    );
    await bed.eventually(
      () => [...hit.bob.consumers.values()].some((c) => c.answer.producerId === mic.id),
      'Bob consuming the new microphone',
    );
    expect(bed.census.ofMeeting(hit.meetingId)).toMatchObject({
      routers: 1,
      transports: 4,
      producers: 1,
      consumers: 1,
    });
  });
});
