import { describe, expect, it } from 'vitest';
import { chatNumber, inWindow, seededRandom, shuffle, timeInWindows } from './chat-share';

describe("the chat tester's shuffled send order", () => {
  const order = (seed: string) => {
    const items = Array.from({ length: 5000 }, (_, i) => i);
    shuffle(items, seededRandom(seed));
    return items;
  };

  it('sends from everyone, once each, in an order far from meeting by meeting', () => {
    const shuffled = order('t0-');
    expect([...shuffled].sort((a, b) => a - b)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    // Meeting by meeting, the next sender is in the same meeting of five four times in five.
    const sameMeeting = shuffled
      .slice(1)
      .filter((p, i) => Math.floor(p / 5) === Math.floor(shuffled[i]! / 5));
    expect(sameMeeting.length).toBeLessThan(50);
  });

  it('draws the same order for the same seed, another for another', () => {
    expect(order('t1-')).toEqual(order('t1-'));
    expect(order('t1-')).not.toEqual(order('t0-'));
    const random = seededRandom('');
    for (let i = 0; i < 1000; i++) {
      const r = random();
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThan(1);
    }
  });
});

describe('the time a load spends inside its send windows', () => {
  // 2 s of sending in every 6, starting 3 s into each period (the second of two servers' turns).
  const windows = { periodMs: 6000, onMs: 2000, offsetMs: 3000 };

  it('counts nothing before the first window, all of each window, and nothing between two', () => {
    expect(timeInWindows(0, windows)).toBe(0);
    expect(timeInWindows(2999, windows)).toBe(0);
    expect(timeInWindows(3500, windows)).toBe(500);
    expect(timeInWindows(5000, windows)).toBe(2000);
    expect(timeInWindows(8999, windows)).toBe(2000);
    expect(timeInWindows(9000, windows)).toBe(2000);
    expect(timeInWindows(10_000, windows)).toBe(3000);
    expect(timeInWindows(15_000 + 1999, windows)).toBe(4000 + 1999);
  });

  it('is the time itself without windows', () => {
    expect(timeInWindows(1234, undefined)).toBe(1234);
    expect(inWindow(1234, undefined)).toBe(true);
  });

  it('tells a moment inside a window from one outside', () => {
    expect([0, 2999, 3000, 4999, 5000, 8999, 9000, 10_999, 11_000].map((t) => inWindow(t, windows))).toEqual([
      false,
      false,
      true,
      true,
      false,
      false,
      true,
      true,
      false,
    ]);
  });
});

describe("the number in a chat's id", () => {
  it("is read from this share's ids only", () => {
    expect(chatNumber('t1-m10', 't1-m')).toBe(10);
    expect(chatNumber('t1-m4000', 't1-m')).toBe(4000);
    expect(chatNumber('t2-m40', 't1-m')).toBeUndefined();
    expect(chatNumber('t1-mx', 't1-m')).toBeUndefined();
    expect(chatNumber('t1-m', 't1-m')).toBeUndefined();
    expect(chatNumber('t1-m-3', 't1-m')).toBeUndefined();
  });
});
