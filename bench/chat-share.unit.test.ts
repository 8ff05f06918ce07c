import { describe, expect, it } from 'vitest';
import { seededRandom, shuffle } from './chat-share';

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
