import { describe, expect, it } from 'vitest';
import { coalescedSaves } from './coalesced-saves';

/** A save whose completion the test controls, recording what was asked. */
function controlledStore() {
  const asked: number[] = [];
  const pending: { resolve(): void; reject(e: Error): void }[] = [];
  let stored = 0;
  const save = (position: number) =>
    new Promise<void>((resolve, reject) => {
      asked.push(position);
      pending.push({
        resolve: () => {
          stored = Math.max(stored, position);
          resolve();
        },
        reject,
      });
    });
  return { save, asked, pending, stored: () => stored };
}

const settled = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('coalesced checkpoint saves', () => {
  it('saves once for everything asked while a save runs, with the highest position', async () => {
    const store = controlledStore();
    const saveUpTo = coalescedSaves(store.save, Math.max);
    const done: number[] = [];
    const first = saveUpTo(10).then(() => done.push(10));
    const rest = [20, 30, 25].map((p) => saveUpTo(p).then(() => done.push(p)));
    expect(store.asked).toEqual([10]);
    store.pending[0]!.resolve();
    await first;
    await settled();
    expect(store.asked).toEqual([10, 30]);
    expect(done).toEqual([10]); // 20, 30 and 25 wait for the save that covers them
    store.pending[1]!.resolve();
    await Promise.all(rest);
    expect(done).toEqual([10, 20, 30, 25]);
    expect(store.stored()).toBe(30);
  });

  it('tells every caller covered by a failed save, and tries again for later ones', async () => {
    const store = controlledStore();
    const saveUpTo = coalescedSaves(store.save, Math.max);
    const first = saveUpTo(1);
    const second = saveUpTo(2);
    const third = saveUpTo(3);
    store.pending[0]!.resolve();
    await first;
    await settled();
    store.pending[1]!.reject(new Error('store away'));
    await expect(second).rejects.toThrow('store away');
    await expect(third).rejects.toThrow('store away');
    const fourth = saveUpTo(4);
    expect(store.asked).toEqual([1, 3, 4]);
    store.pending[2]!.resolve();
    await fourth;
    expect(store.stored()).toBe(4);
  });

  it('saves at once when nothing is running', async () => {
    const store = controlledStore();
    const saveUpTo = coalescedSaves(store.save, Math.max);
    const a = saveUpTo(5);
    store.pending[0]!.resolve();
    await a;
    const b = saveUpTo(6);
    expect(store.asked).toEqual([5, 6]);
    store.pending[1]!.resolve();
    await b;
  });

  it('starts two saves at least minIntervalMs apart, and saves what was asked for meanwhile in the later one', async () => {
    const startedAt: number[] = [];
    const saved: number[] = [];
    const saveUpTo = coalescedSaves(
      async (position: number) => {
        startedAt.push(performance.now());
        saved.push(position);
      },
      Math.max,
      { minIntervalMs: 100 },
    );
    await saveUpTo(1);
    const later = [saveUpTo(2), saveUpTo(3)];
    expect(saved).toEqual([1]);
    await Promise.all(later);
    expect(saved).toEqual([1, 3]);
    // Spaced (without the interval the second would start at once); a timer may fire a ms early.
    expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(90);
  });
});
