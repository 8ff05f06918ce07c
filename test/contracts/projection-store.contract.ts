import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Doc, ProjectionStore, ProjectionWriter } from '../../domain/ports/projection-store';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

const keysOf = (entries: { key: string }[]) => entries.map((e) => e.key);

/**
 * The one contract every ProjectionStore adapter passes. `create` may return a store over a shared
 * database: each test writes to collections and partitions of its own (random names), so tests
 * never see each other's documents and nothing has to be emptied between them.
 */
export function describeProjectionStoreContract(
  name: string,
  create: () => Promise<ProjectionStore>,
  options: { skip?: boolean } = {},
) {
  describe.skipIf(options.skip ?? false)(`ProjectionStore contract: ${name}`, () => {
    let store: ProjectionStore;
    let col: string;
    let part: string;

    beforeEach(async () => {
      store = await create();
      col = `c-${randomUUID()}`;
      part = `p-${randomUUID()}`;
    });
    afterEach(async () => {
      await store.close();
    });

    const put = (key: string, doc: Doc, collection = col, partition = part) =>
      store.transaction((tx) => tx.put(collection, partition, key, doc));

    describe('documents', () => {
      it('returns what was put, and undefined for a missing key', async () => {
        await put('k1', { n: 1, nested: { list: [1, 'two', null], flag: true }, text: 'é ✓' });
        expect(await store.get(col, part, 'k1')).toEqual({
          n: 1,
          nested: { list: [1, 'two', null], flag: true },
          text: 'é ✓',
        });
        expect(await store.get(col, part, 'k2')).toBeUndefined();
      });

      it('reads many documents at once, in the order asked, undefined for the missing', async () => {
        const otherPart = `p-${randomUUID()}`;
        await put('a', { n: 1 });
        await put('b', { n: 2 });
        await put('a', { n: 3 }, col, otherPart);
        const ref = (key: string, partition = part) => ({ collection: col, partition, key });
        expect(
          await store.getMany([ref('b'), ref('missing'), ref('a', otherPart), ref('a'), ref('b')]),
        ).toEqual([{ n: 2 }, undefined, { n: 3 }, { n: 1 }, { n: 2 }]);
        expect(await store.getMany([])).toEqual([]);
      });

      it('replaces a document put again under the same key', async () => {
        await put('k1', { n: 1, old: true });
        await put('k1', { n: 2 });
        expect(await store.get(col, part, 'k1')).toEqual({ n: 2 });
      });

      it('keeps collections and partitions apart', async () => {
        const otherCol = `c-${randomUUID()}`;
        const otherPart = `p-${randomUUID()}`;
        await put('k', { where: 'here' });
        await put('k', { where: 'other partition' }, col, otherPart);
        await put('k', { where: 'other collection' }, otherCol, part);
        expect(await store.get(col, part, 'k')).toEqual({ where: 'here' });
        expect(await store.get(col, otherPart, 'k')).toEqual({ where: 'other partition' });
        expect(await store.get(otherCol, part, 'k')).toEqual({ where: 'other collection' });
      });

      it('deletes one document; deleting a missing one is harmless', async () => {
        await put('k1', { n: 1 });
        await put('k2', { n: 2 });
        await store.transaction(async (tx) => {
          await tx.delete(col, part, 'k1');
          await tx.delete(col, part, 'absent');
        });
        expect(await store.get(col, part, 'k1')).toBeUndefined();
        expect(await store.get(col, part, 'k2')).toEqual({ n: 2 });
      });

      it('clears a whole collection, every partition, and nothing else', async () => {
        const otherCol = `c-${randomUUID()}`;
        await put('a', { n: 1 });
        await put('b', { n: 2 }, col, `p-${randomUUID()}`);
        await put('a', { n: 3 }, otherCol, part);
        await store.transaction((tx) => tx.clear(col));
        expect(await store.scan(col, { limit: 10 })).toEqual([]);
        expect(await store.get(otherCol, part, 'a')).toEqual({ n: 3 });
      });
    });

    describe('range', () => {
      // Zero-padded keys, inserted out of order: the store orders them, not the insertion.
      const keys = ['004', '001', '010', '003', '002', '005'];
      beforeEach(async () => {
        await store.transaction(async (tx) => {
          for (const key of keys) await tx.put(col, part, key, { key });
          await tx.put(col, `p-${randomUUID()}`, '000', { key: 'elsewhere' });
        });
      });

      it('lists a partition in ascending key order', async () => {
        const page = await store.range(col, part, { limit: 100, order: 'asc' });
        expect(keysOf(page)).toEqual(['001', '002', '003', '004', '005', '010']);
        expect(page[0]!.doc).toEqual({ key: '001' });
      });

      it('lists a partition in descending key order', async () => {
        const page = await store.range(col, part, { limit: 100, order: 'desc' });
        expect(keysOf(page)).toEqual(['010', '005', '004', '003', '002', '001']);
      });

      it('pages ascending with a cursor (keys strictly after it) and a limit', async () => {
        const first = await store.range(col, part, { limit: 4, order: 'asc' });
        expect(keysOf(first)).toEqual(['001', '002', '003', '004']);
        const second = await store.range(col, part, { limit: 4, order: 'asc', cursor: '004' });
        expect(keysOf(second)).toEqual(['005', '010']);
        const third = await store.range(col, part, { limit: 4, order: 'asc', cursor: '010' });
        expect(third).toEqual([]);
      });

      it('pages descending with a cursor (keys strictly before it) and a limit', async () => {
        const first = await store.range(col, part, { limit: 2, order: 'desc' });
        expect(keysOf(first)).toEqual(['010', '005']);
        const second = await store.range(col, part, { limit: 2, order: 'desc', cursor: '005' });
        expect(keysOf(second)).toEqual(['004', '003']);
        const last = await store.range(col, part, { limit: 10, order: 'desc', cursor: '002' });
        expect(keysOf(last)).toEqual(['001']);
      });

      it('accepts a cursor that is not itself a key', async () => {
        expect(keysOf(await store.range(col, part, { limit: 2, order: 'asc', cursor: '0035' }))).toEqual([
          '004',
          '005',
        ]);
        expect(keysOf(await store.range(col, part, { limit: 2, order: 'desc', cursor: '0035' }))).toEqual([
          '003',
          '002',
        ]);
      });

      it('gives an empty page for an unknown partition', async () => {
        expect(await store.range(col, `p-${randomUUID()}`, { limit: 10, order: 'asc' })).toEqual([]);
      });
    });

    describe('scan', () => {
      it('lists every document of a collection in key order, paged by cursor', async () => {
        await store.transaction(async (tx) => {
          for (const key of ['m3', 'm1', 'm5', 'm2', 'm4']) await tx.put(col, '', key, { key });
          await tx.put(`c-${randomUUID()}`, '', 'm0', { key: 'other collection' });
        });
        const first = await store.scan(col, { limit: 3 });
        expect(keysOf(first)).toEqual(['m1', 'm2', 'm3']);
        expect(first[2]!.doc).toEqual({ key: 'm3' });
        const rest = await store.scan(col, { limit: 3, cursor: 'm3' });
        expect(keysOf(rest)).toEqual(['m4', 'm5']);
        expect(await store.scan(col, { limit: 3, cursor: 'm5' })).toEqual([]);
      });

      it('includes every partition of the collection', async () => {
        await put('a', { n: 1 }, col, 'one');
        await put('b', { n: 2 }, col, 'two');
        expect(keysOf(await store.scan(col, { limit: 10 }))).toEqual(['a', 'b']);
      });
    });

    describe('transactions', () => {
      it('returns the value of the work', async () => {
        expect(await store.transaction(async () => 42)).toBe(42);
      });

      it('sees its own writes, deletes and clears before committing', async () => {
        await put('gone', { n: 0 });
        await store.transaction(async (tx) => {
          await tx.put(col, part, 'k1', { n: 1 });
          expect(await tx.get(col, part, 'k1')).toEqual({ n: 1 });
          const many = [part, part, part].map((partition, i) => ({
            collection: col,
            partition,
            key: ['gone', 'k1', 'k9'][i]!,
          }));
          expect(await tx.getMany(many)).toEqual([{ n: 0 }, { n: 1 }, undefined]);
          expect(keysOf(await tx.range(col, part, { limit: 10, order: 'asc' }))).toEqual(['gone', 'k1']);
          await tx.delete(col, part, 'gone');
          expect(await tx.get(col, part, 'gone')).toBeUndefined();
          expect(await tx.getMany([{ collection: col, partition: part, key: 'gone' }])).toEqual([undefined]);
          expect(keysOf(await tx.scan(col, { limit: 10 }))).toEqual(['k1']);
          await tx.clear(col);
          expect(await tx.get(col, part, 'k1')).toBeUndefined();
          await tx.put(col, part, 'k2', { n: 2 });
        });
        expect(keysOf(await store.range(col, part, { limit: 10, order: 'asc' }))).toEqual(['k2']);
      });

      it('keeps the last of several writes to one document in a transaction', async () => {
        await put('was', { n: 0 });
        await store.transaction(async (tx) => {
          for (let n = 1; n <= 3; n++) await tx.put(col, part, 'k', { n });
          expect(await tx.get(col, part, 'k')).toEqual({ n: 3 });
          await tx.put(col, part, 'brief', { n: 1 });
          await tx.delete(col, part, 'brief');
          await tx.delete(col, part, 'was');
          await tx.put(col, part, 'was', { n: 4 });
          expect(await tx.getMany([{ collection: col, partition: part, key: 'brief' }])).toEqual([undefined]);
        });
        expect(await store.get(col, part, 'k')).toEqual({ n: 3 });
        expect(await store.get(col, part, 'brief')).toBeUndefined();
        expect(await store.get(col, part, 'was')).toEqual({ n: 4 });
        expect(keysOf(await store.range(col, part, { limit: 10, order: 'asc' }))).toEqual(['k', 'was']);
      });

      it('stores a document as it was put, whatever the caller does with it afterwards', async () => {
        await store.transaction(async (tx) => {
          const doc = { n: 1, list: [1] };
          await tx.put(col, part, 'k', doc);
          doc.n = 2;
          doc.list.push(2);
          const read = (await tx.get<{ n: number; list: number[] }>(col, part, 'k'))!;
          expect(read).toEqual({ n: 1, list: [1] });
          read.n = 3;
          expect(await tx.get(col, part, 'k')).toEqual({ n: 1, list: [1] });
        });
        expect(await store.get(col, part, 'k')).toEqual({ n: 1, list: [1] });
      });

      it('rolls back every write of a work that throws, and rethrows its error', async () => {
        await put('kept', { n: 1 });
        const failure = new Error('projection bug');
        const outcome = await store
          .transaction(async (tx) => {
            await tx.put(col, part, 'new', { n: 2 });
            await tx.put(col, part, 'kept', { n: 99 });
            await tx.delete(col, part, 'kept');
            await tx.clear(col);
            throw failure;
          })
          .catch((e: unknown) => e);
        expect(outcome).toBe(failure);
        expect(await store.get(col, part, 'kept')).toEqual({ n: 1 });
        expect(await store.get(col, part, 'new')).toBeUndefined();
      });

      it('keeps working after a rolled back transaction', async () => {
        await store.transaction(() => Promise.reject(new Error('boom'))).catch(() => undefined);
        await put('after', { ok: true });
        expect(await store.get(col, part, 'after')).toEqual({ ok: true });
      });

      it('hides a transaction in progress from reads outside it', async () => {
        const written = deferred();
        const release = deferred();
        const tx = store.transaction(async (w) => {
          await w.put(col, part, 'k', { n: 1 });
          written.resolve();
          await release.promise;
        });
        await written.promise;
        let seenOutside: Doc | undefined;
        try {
          seenOutside = await store.get(col, part, 'k');
        } finally {
          release.resolve();
          await tx;
        }
        expect(seenOutside).toBeUndefined();
        expect(await store.get(col, part, 'k')).toEqual({ n: 1 });
      });

      it('runs transactions one after another, never interleaved', async () => {
        const log: string[] = [];
        const firstStarted = deferred();
        const releaseFirst = deferred();
        const first = store.transaction(async (tx) => {
          log.push('first:start');
          firstStarted.resolve();
          await releaseFirst.promise;
          await tx.put(col, part, 'k', { by: 'first' });
          log.push('first:end');
        });
        await firstStarted.promise;
        const second = store.transaction(async (tx) => {
          log.push('second:start');
          // Serialised: the first one has committed by now, so its write is visible here.
          expect(await tx.get(col, part, 'k')).toEqual({ by: 'first' });
          await tx.put(col, part, 'k', { by: 'second' });
          log.push('second:end');
        });
        // Give the second every chance to start early if the adapter let it.
        await new Promise((r) => setTimeout(r, 20));
        releaseFirst.resolve();
        await Promise.all([first, second]);
        expect(log).toEqual(['first:start', 'first:end', 'second:start', 'second:end']);
        expect(await store.get(col, part, 'k')).toEqual({ by: 'second' });
      });

      it('increments without losing updates when many transactions race', async () => {
        const increment = (tx: ProjectionWriter) =>
          tx.get<{ n: number }>(col, part, 'counter').then(async (doc) => {
            await new Promise((r) => setImmediate(r));
            await tx.put(col, part, 'counter', { n: (doc?.n ?? 0) + 1 });
          });
        await Promise.all(Array.from({ length: 25 }, () => store.transaction(increment)));
        expect(await store.get(col, part, 'counter')).toEqual({ n: 25 });
      });

      it('runs the next transaction even when the previous one failed', async () => {
        const failing = store.transaction(() => Promise.reject(new Error('first fails')));
        const next = store.transaction((tx) => tx.put(col, part, 'k', { n: 1 }));
        await expect(failing).rejects.toThrow('first fails');
        await next;
        expect(await store.get(col, part, 'k')).toEqual({ n: 1 });
      });
    });
  });
}
