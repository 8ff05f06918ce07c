import { describe, expect, it } from 'vitest';
import { SlotMap } from './slot-map';

/** A small deterministic generator, so that a failing sequence can be run again. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('SlotMap', () => {
  it('answers as a Map does over a long run of sets, overwrites and deletes, growing as it goes', () => {
    for (const seed of [1, 2, 3]) {
      const next = random(seed);
      const model = new Map<string, number>();
      const map = new SlotMap<string, number>(4);
      // Few distinct keys, so that most operations hit entries that exist and probe chains form.
      const keys = Array.from({ length: 300 }, (_, i) => `meeting-${i}`);
      for (let step = 0; step < 20_000; step++) {
        const key = keys[Math.floor(next() * keys.length)]!;
        const op = next();
        if (op < 0.45) {
          map.set(key, step);
          model.set(key, step);
        } else if (op < 0.8) {
          expect(map.delete(key)).toBe(model.delete(key));
        } else {
          expect(map.get(key)).toBe(model.get(key));
          expect(map.has(key)).toBe(model.has(key));
        }
        expect(map.size).toBe(model.size);
      }
      for (const key of keys) expect(map.get(key)).toBe(model.get(key));
      expect(map.values().sort((a, b) => a - b)).toEqual([...model.values()].sort((a, b) => a - b));
    }
  });

  it('finds every entry behind a removed one in its probe chain (numeric keys that share a slot)', () => {
    const map = new SlotMap<number, string>(8);
    // 16 slots: keys 16 apart land in the same home slot.
    const colliding = [0, 16, 32, 48, 64];
    for (const k of colliding) map.set(k, `v${k}`);
    expect(map.delete(16)).toBe(true);
    expect(map.delete(16)).toBe(false);
    for (const k of [0, 32, 48, 64]) expect(map.get(k)).toBe(`v${k}`);
    expect(map.delete(0)).toBe(true);
    for (const k of [32, 48, 64]) expect(map.get(k)).toBe(`v${k}`);
    expect(map.size).toBe(3);
  });

  it('leaves nothing behind: a removed entry, a cleared map and the arrays it outgrew hold no value', () => {
    const map = new SlotMap<string, { n: number }>(4);
    const slots = () => map as unknown as { keys: unknown[]; vals: unknown[] };
    const small = slots();
    const [smallKeys, smallValues] = [small.keys, small.vals];
    for (let n = 0; n < 100; n++) map.set(`e${n}`, { n });
    // It grew: the arrays it used before are emptied, so that, dropped in the old generation,
    // they keep no young value alive through the next scavenges (why it exists).
    expect(slots().vals).not.toBe(smallValues);
    expect(smallKeys.every((k) => k === undefined)).toBe(true);
    expect(smallValues.every((v) => v === undefined)).toBe(true);
    for (let n = 0; n < 100; n += 2) map.delete(`e${n}`);
    const held = slots().vals.filter((v) => v !== undefined) as { n: number }[];
    expect(held.map((v) => v.n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => 2 * i + 1),
    );
    map.clear();
    expect(map.size).toBe(0);
    expect(slots().vals.every((v) => v === undefined)).toBe(true);
    expect(slots().keys.every((k) => k === undefined)).toBe(true);
    expect(map.get('e1')).toBeUndefined();
  });

  it('overwrites a key in place rather than adding it twice', () => {
    const map = new SlotMap<string, number>();
    map.set('a', 1).set('a', 2);
    expect(map.size).toBe(1);
    expect(map.get('a')).toBe(2);
    expect(map.values()).toEqual([2]);
  });
});
