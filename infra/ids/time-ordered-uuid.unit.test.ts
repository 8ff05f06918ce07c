import { afterEach, describe, expect, it, vi } from 'vitest';
import { timeOrderedUuid } from './time-ordered-uuid';

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
