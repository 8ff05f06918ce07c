import { describe, expect, it } from 'vitest';
import { figuresBetween, totalsOf } from './quality-report';

const report = (lost: number, received: number, bytesIn: number, bytesOut: number) => [
  { type: 'candidate-pair', nominated: true, currentRoundTripTime: 0.042 },
  { type: 'candidate-pair', nominated: false, currentRoundTripTime: 9 },
  {
    type: 'inbound-rtp',
    packetsReceived: received,
    packetsLost: lost,
    bytesReceived: bytesIn,
    jitter: 0.0071,
  },
  { type: 'inbound-rtp', packetsReceived: 0, packetsLost: 0, bytesReceived: 0, jitter: 0.002 },
  { type: 'outbound-rtp', bytesSent: bytesOut },
];

describe('client quality report from getStats', () => {
  it('gives the interval’s loss and bitrates from cumulative counters, the nominated pair’s round trip and the worst jitter', () => {
    const before = totalsOf(report(10, 990, 1_000_000, 500_000), 0);
    const now = totalsOf(report(30, 1970, 3_500_000, 1_750_000), 10_000);
    expect(figuresBetween(before, now)).toEqual({
      rttMs: 42,
      lossPct: 2,
      jitterMs: 7.1,
      sentKbps: 1000,
      receivedKbps: 2000,
    });
  });
  it('says null where nothing was received', () => {
    const quiet = totalsOf([], 0);
    expect(figuresBetween(quiet, totalsOf([], 10_000))).toEqual({
      rttMs: null,
      lossPct: null,
      jitterMs: null,
      sentKbps: 0,
      receivedKbps: 0,
    });
  });
});
