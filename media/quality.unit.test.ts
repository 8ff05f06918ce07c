import { describe, expect, it } from 'vitest';
import { summarizeQuality } from './quality';

describe('connection quality summary', () => {
  it('takes the mean round trip, the worst loss and jitter, the total bitrate and the lowest score', () => {
    expect(
      summarizeQuality({
        rttMs: [20, 40],
        lossPct: [0, 2.34, 1],
        jitterMs: [3, 12.06],
        scores: [10, 7, 9],
        bitrateBps: 1_234_567,
        sentBps: 1_000_000,
        receivedBps: 234_567,
      }),
    ).toEqual({ rttMs: 30, packetLossPct: 2.3, jitterMs: 12.1, bitrateKbps: 1235, score: 7 });
  });

  it('says null where nothing was measured', () => {
    expect(
      summarizeQuality({
        rttMs: [],
        lossPct: [],
        jitterMs: [],
        scores: [],
        bitrateBps: 0,
        sentBps: 0,
        receivedBps: 0,
      }),
    ).toEqual({
      rttMs: null,
      packetLossPct: null,
      jitterMs: null,
      bitrateKbps: 0,
      score: null,
    });
  });
});
