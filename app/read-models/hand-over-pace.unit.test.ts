import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handOverPace } from './hand-over-pace';

/** Resolves the promise's state without waiting: 'pending' or 'done'. */
async function state(promise: Promise<void>): Promise<'pending' | 'done'> {
  let done = false;
  void promise.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(0);
  return done ? 'done' : 'pending';
}

describe('handOverPace', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('lets the first hand-over go at once and holds the next one until the linger is over', async () => {
    const pace = handOverPace(50);
    expect(await state(pace('projections'))).toBe('done');
    const second = pace('projections');
    expect(await state(second)).toBe('pending');
    await vi.advanceTimersByTimeAsync(49);
    expect(await state(second)).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(await state(second)).toBe('done');
  });

  it('paces each kind on its own', async () => {
    const pace = handOverPace(50);
    await state(pace('projections'));
    expect(await state(pace('analytics'))).toBe('done');
  });

  it('lets a hand-over after a quiet spell go at once', async () => {
    const pace = handOverPace(50);
    await state(pace('projections'));
    await vi.advanceTimersByTimeAsync(80);
    expect(await state(pace('projections'))).toBe('done');
  });

  it('never waits with no linger', async () => {
    const pace = handOverPace(0);
    await state(pace('projections'));
    expect(await state(pace('projections'))).toBe('done');
  });
});
