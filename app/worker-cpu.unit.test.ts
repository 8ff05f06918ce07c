import { describe, expect, it } from 'vitest';
import { cpuSecondsOf, createWorkerCpuMeter } from './worker-cpu';

describe('CPU per worker', () => {
  it('measures a process’s share of a core between two readings, as the process itself counts it', () => {
    let t = 0;
    const meter = createWorkerCpuMeter(() => t);
    const self = [{ index: 0, pid: process.pid }];
    t = Date.now();
    expect(meter(self)).toEqual([]); // no interval yet
    const usageBefore = process.cpuUsage();
    const until = Date.now() + 400;
    while (Date.now() < until); // burn what the (shared) machine gives for 400 ms
    const usage = process.cpuUsage(usageBefore);
    const wallMs = Date.now() - t;
    t = Date.now();
    const [reading] = meter(self);
    expect(reading!.worker).toBe('0');
    // /proc counts in 10 ms ticks: the two views agree within a few ticks over the interval.
    const expected = (usage.user + usage.system) / 1000 / wallMs;
    expect(Math.abs(reading!.ratio - expected)).toBeLessThan(0.1);
    expect(reading!.ratio).toBeGreaterThan(0);
  });
  it('says nothing of a process that is gone', () => {
    expect(cpuSecondsOf(2 ** 22 + 12345)).toBeUndefined();
  });
});
