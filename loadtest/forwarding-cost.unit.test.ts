import { describe, expect, it } from 'vitest';
import { forwardingCost } from './forwarding-cost';

describe('forwarding cost, as LiveKit load-test tables read it', () => {
  const run = {
    window: 'steady' as const,
    seconds: 75,
    packetsForwarded: 300_000,
    subscribers: 20,
    packetsPerSecond: 4_000,
    workerCpuSeconds: 4.5,
    serverCpuSeconds: 1.5,
    workerRssStartMiB: 15,
    workerRssPeakMiB: 25,
  };

  it('divides the CPU by the packets the subscribers received, and derives cores from it', () => {
    const cost = forwardingCost(run)!;
    expect(cost.workerUsPerPacket).toBe(15); // 4.5 s / 300,000
    expect(cost.serverUsPerPacket).toBe(20); // (4.5 + 1.5) s / 300,000
    expect(cost.packetsPerCoreSecond).toBe(66_667);
    expect(cost.subscribersPerCore).toBe(333); // 66,667 / (4,000 / 20)
    expect(cost.workerRssKiBPerSubscriber).toBe(512); // 10 MiB over 20
    expect(cost).toMatchObject({ window: 'steady', seconds: 75 });
  });

  it('says nothing rather than divide by zero, and leaves out what was not measured', () => {
    expect(forwardingCost({ ...run, packetsForwarded: 0 })).toBeNull();
    expect(forwardingCost({ ...run, subscribers: 0 })).toBeNull();
    const remote = forwardingCost({ ...run, workerCpuSeconds: null, workerRssStartMiB: null })!;
    expect(remote.workerUsPerPacket).toBeNull();
    expect(remote.serverUsPerPacket).toBeNull();
    expect(remote.subscribersPerCore).toBeNull();
    expect(remote.workerRssKiBPerSubscriber).toBeNull();
  });
});
