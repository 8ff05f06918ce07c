import { describe, expect, it } from 'vitest';
import { FixedWindows } from './fixed-windows';

function clock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const takes = (windows: FixedWindows, key: string, n: number) =>
  Array.from({ length: n }, () => windows.take(key));

describe('FixedWindows', () => {
  it('gives each key its own budget, refused past it until the window that opened with its first message ends', () => {
    const c = clock();
    const windows = new FixedWindows(3, 1_000, c.now);
    expect(takes(windows, 'ann', 5)).toEqual([true, true, true, false, false]);
    expect(windows.take('bob')).toBe(true);
    c.advance(999);
    expect(windows.take('ann')).toBe(false);
    c.advance(1);
    expect(takes(windows, 'ann', 4)).toEqual([true, true, true, false]);
  });

  it("opens a key's window at its first message, not at a shared tick", () => {
    const c = clock();
    const windows = new FixedWindows(1, 1_000, c.now);
    expect(windows.take('ann')).toBe(true);
    c.advance(600);
    expect(windows.take('bob')).toBe(true);
    c.advance(400); // Ann's window ends; Bob's has 600 ms to go.
    expect(windows.take('ann')).toBe(true);
    expect(windows.take('bob')).toBe(false);
  });

  it('forgets keys whose window ended, at most once per sweep period, and keeps the open ones', () => {
    const c = clock();
    const windows = new FixedWindows(2, 1_000, c.now, 5_000);
    for (let i = 0; i < 100; i++) windows.take(`gone-${i}`);
    c.advance(4_500);
    windows.take('late');
    expect(windows.size).toBe(101); // before the sweep is due, nothing is forgotten
    c.advance(500);
    windows.take('ann');
    expect(windows.size).toBe(2); // 'late' (window still open) and 'ann'
    // A forgotten key starts over with a full budget.
    expect(takes(windows, 'gone-0', 3)).toEqual([true, true, false]);
  });
});
