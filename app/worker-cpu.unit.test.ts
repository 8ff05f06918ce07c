import { describe, expect, it } from 'vitest';
import { cpuSecondsOf, createWorkerCpuMeter } from './worker-cpu';

describe('CPU per worker', () => {
  it('measures a busy process as a share of a core between two readings', () => {
    let t = 0;
    const meter = createWorkerCpuMeter(() => t);
    const self = [{ index: 0, pid: process.pid }];
    t = Date.now();
    expect(meter(self)).toEqual([]); // no interval yet
    const until = Date.now() + 300;
    while (Date.now() < until); // burn one core for 300 ms
    t = Date.now();
    const [reading] = meter(self);
    expect(reading!.worker).toBe('0');
    // A shared machine gives the loop what it can; 10 ms ticks: well above zero, below two cores.
    expect(reading!.ratio).toBeGreaterThan(0.1);
    expect(reading!.ratio).toBeLessThan(1.6);
  });
  it('says nothing of a process that is gone', () => {
    expect(cpuSecondsOf(2 ** 22 + 12345)).toBeUndefined();
  });
});
