import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../infra/event-store/sqlite-event-store';
import {
  projectionStoreBackends,
  type ProjectionStoreBackend,
} from '../test/support/projection-store-backends';
import { chatHistoryProjection } from './chat-history/chat-history.projection';
import { LEGACY_CHECKPOINTS, MEETING_CHECKPOINTS, READ_MODELS_GROUP } from './checkpoints';
import { allProjections } from './index';
import {
  busyMorning,
  dumpReadModels,
  projectionSpecWorld,
  type ProjectionSpecWorld,
} from './projection.spec-helper';
import { rebuild } from './rebuild';
import { createRebuildProgressBar } from './rebuild-progress';

const dir = mkdtempSync(joinPath(tmpdir(), 'confer-rebuild-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const open: ProjectionSpecWorld[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
});

const backends = projectionStoreBackends();

/** A busy morning, projected live the way the bus delivers it: in batches of uneven sizes. */
async function givenLiveMorning(backend: ProjectionStoreBackend): Promise<ProjectionSpecWorld> {
  const id = randomUUID();
  const world = projectionSpecWorld({
    events: createSqliteEventStore({ path: joinPath(dir, `${id}.events.db`) }),
    store: await backend.open(),
  });
  open.push(world);
  await busyMorning(world);
  const events = await world.history();
  for (let at = 0, size = 1; at < events.length; at += size, size = (size % 4) + 1) {
    await world.runner.handle(events.slice(at, at + size));
  }
  return world;
}

const readAllOf = (world: ProjectionSpecWorld) => (after: number, maxCount: number) =>
  world.events.readAll({ after, maxCount });

describe.each(backends)('rebuild on $name', (backend) => {
  it('rebuilds from zero exactly the read model live handling built', async () => {
    const world = await givenLiveMorning(backend);
    const live = await dumpReadModels(world.store);
    const head = await world.events.headPosition();

    const result = await rebuild({
      store: world.store,
      projections: allProjections(),
      readAll: readAllOf(world),
      head,
      pageSize: 7,
    });

    expect(result).toEqual({ events: head, position: head });
    expect(await dumpReadModels(world.store)).toEqual(live);
  });

  it('throws away what the read model held before, stale checkpoints included', async () => {
    const world = await givenLiveMorning(backend);
    const live = await dumpReadModels(world.store);
    await world.store.transaction(async (tx) => {
      await tx.put('chat', 'review', '000000000000999', { content: 'written by a buggy version' });
      await tx.put('meetings', '', 'phantom', { title: 'never created' });
      await tx.put(LEGACY_CHECKPOINTS, 'roster', 'phantom', { revision: 42, position: 4242 });
      await tx.put(LEGACY_CHECKPOINTS, 'roster', 'review', { revision: 999, position: 9999 });
      await tx.put(MEETING_CHECKPOINTS, READ_MODELS_GROUP, 'phantom', {
        roster: { revision: 7, position: 77 },
      });
    });

    await rebuild({
      store: world.store,
      projections: allProjections(),
      readAll: readAllOf(world),
      head: await world.events.headPosition(),
    });
    expect(await dumpReadModels(world.store)).toEqual(live);
  });

  it('rebuilds only the projections it is given', async () => {
    const world = await givenLiveMorning(backend);
    const otherMarker = { title: 'left alone' };
    await world.store.transaction((tx) => tx.put('meetings', '', 'marker', otherMarker));
    await world.store.transaction((tx) => tx.clear('chat'));

    await rebuild({
      store: world.store,
      projections: [chatHistoryProjection()],
      readAll: readAllOf(world),
      head: await world.events.headPosition(),
    });
    expect(await world.store.get('meetings', '', 'marker')).toEqual(otherMarker);
    expect(await world.store.range('chat', 'review', { limit: 100, order: 'asc' })).toHaveLength(5);
    // The meetings' checkpoint documents keep the other projections' entries as they were.
    const review = await world.store.get(MEETING_CHECKPOINTS, READ_MODELS_GROUP, 'review');
    expect(Object.keys(review ?? {}).sort()).toEqual(
      allProjections()
        .map((p) => p.name)
        .sort(),
    );
  });

  it('forgets the rebuilt projections in the checkpoint documents before replaying', async () => {
    const world = await givenLiveMorning(backend);
    await world.store.transaction((tx) =>
      tx.put(MEETING_CHECKPOINTS, READ_MODELS_GROUP, 'gone', {
        'chat-history': { revision: 3, position: 30 },
        roster: { revision: 3, position: 30 },
      }),
    );
    await rebuild({
      store: world.store,
      projections: [chatHistoryProjection()],
      readAll: readAllOf(world),
      head: await world.events.headPosition(),
    });
    expect(await world.store.get(MEETING_CHECKPOINTS, READ_MODELS_GROUP, 'gone')).toEqual({
      roster: { revision: 3, position: 30 },
    });
  });

  it('reports progress page by page up to the head', async () => {
    const world = await givenLiveMorning(backend);
    const head = await world.events.headPosition();
    const progress: [number, number][] = [];
    await rebuild({
      store: world.store,
      projections: allProjections(),
      readAll: readAllOf(world),
      head,
      pageSize: 10,
      onProgress: (done, total) => void progress.push([done, total]),
    });
    expect(progress[0]).toEqual([0, head]);
    expect(progress.at(-1)).toEqual([head, head]);
    expect(progress).toHaveLength(1 + Math.ceil(head / 10));
    const done = progress.map(([d]) => d);
    expect(done).toEqual([...done].sort((a, b) => a - b));
  });

  it('rebuilds an empty history into an empty read model', async () => {
    const id = randomUUID();
    const world = projectionSpecWorld({
      events: createSqliteEventStore({ path: joinPath(dir, `${id}.events.db`) }),
      store: await backend.open(),
    });
    open.push(world);
    const result = await rebuild({
      store: world.store,
      projections: allProjections(),
      readAll: readAllOf(world),
      head: 0,
    });
    expect(result).toEqual({ events: 0, position: 0 });
    expect((await dumpReadModels(world.store)).filter((d) => d.collection !== '_positions')).toEqual([]);
  });
});

describe('rebuild progress bar', () => {
  it('prints plain progress lines when the output is not a terminal', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const bar = createRebuildProgressBar(200, out);
    bar.update(200, 200);
    bar.stop();
    expect(text).toContain('200/200');
    expect(text).toContain('100%');
  });
});
