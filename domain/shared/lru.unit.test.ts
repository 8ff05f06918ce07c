import { describe, expect, it } from 'vitest';
import { Lru } from './lru';

describe('Lru', () => {
  it('keeps at most its capacity, dropping the oldest entry nobody used since it was stored', () => {
    const lru = new Lru<string, number>(3);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('c', 3);
    lru.set('d', 4);
    expect(lru.size).toBe(3);
    expect(lru.get('a')).toBeUndefined();
    expect([lru.get('b'), lru.get('c'), lru.get('d')]).toEqual([2, 3, 4]);
  });

  it('gives a used entry a second chance: an unused newer one goes before it', () => {
    const lru = new Lru<string, number>(3);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('c', 3);
    expect(lru.get('a')).toBe(1);
    lru.set('d', 4);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    // Set again, an entry is used as well, and keeps its new value.
    lru.set('c', 30);
    lru.set('e', 5);
    expect(lru.get('d')).toBeUndefined();
    expect([lru.get('a'), lru.get('c'), lru.get('e')]).toEqual([1, 30, 5]);
    expect(lru.size).toBe(3);
  });

  it('drops one entry even when every entry was used (one pass clears the marks)', () => {
    const lru = new Lru<number, number>(100);
    for (let i = 0; i < 100; i++) lru.set(i, i);
    for (let i = 0; i < 100; i++) lru.get(i);
    lru.set(100, 100);
    expect(lru.size).toBe(100);
    expect(lru.get(0)).toBeUndefined();
    expect(lru.get(100)).toBe(100);
  });

  it('forgets a deleted key', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.delete('a');
    expect(lru.get('a')).toBeUndefined();
    expect(lru.size).toBe(0);
  });
});
