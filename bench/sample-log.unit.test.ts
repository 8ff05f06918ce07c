import { describe, expect, it } from 'vitest';
import { SampleLog } from './sample-log';

describe('a log of samples kept in typed arrays', () => {
  it('gives back every value in order, across chunks', () => {
    const log = new SampleLog();
    const n = 200_000; // three chunks and part of a fourth
    for (let i = 0; i < n; i++) log.push(i * 0.5);
    const all = log.toArray();
    expect(log.size).toBe(n);
    expect(all.length).toBe(n);
    expect(all[0]).toBe(0);
    expect(all[65_535]).toBe(65_535 * 0.5);
    expect(all[65_536]).toBe(65_536 * 0.5);
    expect(all[n - 1]).toBe((n - 1) * 0.5);
    expect(all.every((v, i) => v === i * 0.5)).toBe(true);
  });

  it('is empty until something is noted', () => {
    expect(new SampleLog().toArray().length).toBe(0);
    expect(new SampleLog().size).toBe(0);
  });

  it('joins several logs into one, in order, empty ones included', () => {
    const a = new Float64Array([1, 2]);
    const b = new Float64Array([]);
    const c = new Float64Array([3]);
    expect(Array.from(SampleLog.concat([a, b, c]))).toEqual([1, 2, 3]);
    expect(SampleLog.concat([]).length).toBe(0);
  });
});
