import { describe, expect, it } from 'vitest';
import { collectWhenIdle, idleGcDecider } from './idle-gc';

const MiB = 1024 * 1024;

describe('full collections while idle', () => {
  const options = { maxUtilization: 0.05, idleReadings: 3, minGrowthBytes: 64 * MiB };

  it('collects after enough idle readings in a row, once the old space has grown enough', () => {
    const decider = idleGcDecider(options);
    expect(decider.next({ utilization: 0.01, oldSpaceBytes: 100 * MiB })).toBe(false);
    // Grown by 80 MiB, but a busy reading breaks the idle run.
    expect(decider.next({ utilization: 0.02, oldSpaceBytes: 180 * MiB })).toBe(false);
    expect(decider.next({ utilization: 0.6, oldSpaceBytes: 180 * MiB })).toBe(false);
    expect(decider.next({ utilization: 0.01, oldSpaceBytes: 180 * MiB })).toBe(false);
    expect(decider.next({ utilization: 0.01, oldSpaceBytes: 180 * MiB })).toBe(false);
    expect(decider.next({ utilization: 0.05, oldSpaceBytes: 180 * MiB })).toBe(true);
  });

  it('does not collect an idle server again until it has grown again', () => {
    const decider = idleGcDecider(options);
    for (let i = 0; i < 2; i++) decider.next({ utilization: 0, oldSpaceBytes: 10 * MiB });
    expect(decider.next({ utilization: 0, oldSpaceBytes: 90 * MiB })).toBe(true);
    decider.collected(40 * MiB);
    for (let i = 0; i < 10; i++)
      expect(decider.next({ utilization: 0, oldSpaceBytes: 100 * MiB })).toBe(false);
    expect(decider.next({ utilization: 0, oldSpaceBytes: 104 * MiB })).toBe(true);
  });

  it("takes a full collection of V8's own (the old space shrank) as the new baseline", () => {
    const decider = idleGcDecider(options);
    decider.next({ utilization: 0.9, oldSpaceBytes: 400 * MiB });
    // V8 collected under load: 400 → 120 MiB. Growth is counted from there, not from 400.
    for (let i = 0; i < 5; i++)
      expect(decider.next({ utilization: 0, oldSpaceBytes: 120 * MiB })).toBe(false);
    expect(decider.next({ utilization: 0, oldSpaceBytes: 190 * MiB })).toBe(true);
  });

  it('runs V8 collections on an idle event loop, and nothing without gc()', async () => {
    const calls: number[] = [];
    const reports: { beforeBytes: number; afterBytes: number }[] = [];
    const idle = collectWhenIdle({
      gc: () => calls.push(Date.now()),
      everyMs: 10,
      idleReadings: 2,
      // Any size: the test's own heap need not grow for it.
      minGrowthBytes: 0,
      onCollected: (report) => reports.push(report),
    });
    // Idle readings come every 10 ms; a loaded machine may take a while to give two in a row.
    for (let waited = 0; calls.length === 0 && waited < 5000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    idle.stop();
    expect(calls.length).toBeGreaterThan(0);
    expect(reports.length).toBe(calls.length);
    const count = calls.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls.length).toBe(count);
    // No gc(): a no-op that stops cleanly.
    collectWhenIdle({ gc: undefined }).stop();
  });
});
