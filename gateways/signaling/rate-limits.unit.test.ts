import { describe, expect, it } from 'vitest';
import type { Identity } from './connection';
import { createRateLimits } from './rate-limits';

const identity = (meetingId: string, participantId: string, address = '10.0.0.1'): Identity => ({
  meetingId,
  participantId,
  isHost: false,
  exp: 2_000_000_000,
  address,
});

/** Sends until refused; how many were let through. */
function sentBeforeRefusal(limits: ReturnType<typeof createRateLimits>, who: Identity, most = 100): number {
  for (let sent = 0; sent < most; sent++) {
    try {
      limits.message(who, 'chat');
    } catch (error) {
      expect(error).toMatchObject({ code: 'CONFER_RATE_LIMITED' });
      return sent;
    }
  }
  return most;
}

describe('signaling rate limits', () => {
  const config = {
    perSecond: 5,
    burst: 5,
    perAddressPerSecond: 1000,
    perAddressBurst: 1000,
    connectsPerMinute: 60,
  };

  it('gives one participant one budget across all their connections', () => {
    const limits = createRateLimits(config);
    // Two sockets of one participant: two identity objects, one person.
    expect(sentBeforeRefusal(limits, identity('m1', 'p_a'))).toBe(5);
    expect(sentBeforeRefusal(limits, identity('m1', 'p_a'))).toBe(0);
  });

  it('keeps apart the same participant id in another meeting, and another participant', () => {
    const limits = createRateLimits(config);
    const first = identity('m1', 'p_a');
    expect(sentBeforeRefusal(limits, first)).toBe(5);
    expect(sentBeforeRefusal(limits, identity('m2', 'p_a'))).toBe(5);
    expect(sentBeforeRefusal(limits, identity('m1', 'p_b'))).toBe(5);
    // A connection asked again after others keeps its own participant's budget (still spent).
    expect(sentBeforeRefusal(limits, first)).toBe(0);
  });

  it('shares one budget per address across participants', () => {
    const limits = createRateLimits({
      ...config,
      perSecond: 100,
      burst: 100,
      perAddressPerSecond: 3,
      perAddressBurst: 3,
    });
    expect(sentBeforeRefusal(limits, identity('m1', 'p_a', '10.0.0.9'))).toBe(3);
    expect(sentBeforeRefusal(limits, identity('m1', 'p_b', '10.0.0.9'))).toBe(0);
    expect(sentBeforeRefusal(limits, identity('m1', 'p_c', '10.0.0.10'))).toBe(3);
  });
});
