import { randomBytes } from 'node:crypto';
import { v7, validate, version } from 'uuid';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatV7, timeOrderedUuid } from './time-ordered-uuid';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('time-ordered UUID', () => {
  it('keeps its order when the system clock steps back', () => {
    const now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now + 60_000);
    const before = timeOrderedUuid();
    clock.mockReturnValue(now); // an NTP correction a minute back
    const after = Array.from({ length: 1000 }, () => timeOrderedUuid());
    expect([before, ...after].every((id, i, all) => i === 0 || id > all[i - 1]!)).toBe(true);
  });

  it('draws fresh random bits for every id, past the end of a block', () => {
    const ids = Array.from({ length: 1000 }, () => timeOrderedUuid());
    // The last 12 hex digits are random in every id: none repeats across several blocks of 256.
    expect(new Set(ids.map((id) => id.slice(-12))).size).toBe(ids.length);
  });
});

describe('time-ordered UUID layout', () => {
  it("is uuid's v7 byte for byte, for any milliseconds, counter and random bits", () => {
    const random = randomBytes(16 * 500);
    for (let i = 0; i < 500; i++) {
      // Milliseconds across 48 bits (now, the epoch, the largest), counters across 32.
      const msecs = [Date.now(), 0, 2 ** 48 - 1, Math.floor(Math.random() * 2 ** 48)][i % 4]!;
      const seq = [0, 2 ** 32 - 1, 2 ** 31, Math.floor(Math.random() * 2 ** 32)][(i >> 2) % 4]! | 0;
      const expected = v7({ random: random.subarray(16 * i, 16 * i + 16), msecs, seq });
      expect(formatV7(random, 16 * i, msecs, seq)).toBe(expected);
    }
  });

  it('makes RFC 9562 version 7 ids, each a string of its own', () => {
    const ids = Array.from({ length: 300 }, () => timeOrderedUuid());
    for (const id of ids) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    // The reused buffer behind them never shows through: the ids made earlier are unchanged.
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
