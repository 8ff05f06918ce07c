import { describe, expect, it } from 'vitest';
import { isConferError } from '../../domain/shared/errors';
import { createPasscodeGuard } from './passcode-guard';

const locked = (check: () => void) => {
  try {
    check();
    return false;
  } catch (error) {
    if (isConferError(error) && error.code === 'CONFER_RATE_LIMITED') return true;
    throw error;
  }
};

describe('passcode guard', () => {
  it('locks a client after 5 wrong tries for 30 s, doubling, and reports the first lockout once', () => {
    let now = 0;
    const guard = createPasscodeGuard(() => now);
    const reports = [1, 2, 3, 4].map(() => guard.failed('m', 'a'));
    expect(reports).toEqual([undefined, undefined, undefined, undefined]);
    expect(locked(() => guard.check('m', 'a'))).toBe(false);
    expect(guard.failed('m', 'a')).toEqual({ scope: 'client', failures: 5, lockedForMs: 30_000 });
    expect(locked(() => guard.check('m', 'a'))).toBe(true);
    expect(locked(() => guard.check('m', 'b'))).toBe(false); // another client
    expect(locked(() => guard.check('other', 'a'))).toBe(false); // another meeting
    now += 30_001;
    expect(locked(() => guard.check('m', 'a'))).toBe(false);
    expect(guard.failed('m', 'a')).toBeUndefined();
    now += 59_999;
    expect(locked(() => guard.check('m', 'a'))).toBe(true);
    now += 2;
    expect(locked(() => guard.check('m', 'a'))).toBe(false);
  });

  it('locks the whole meeting after 20 wrong tries from many addresses', () => {
    let now = 0;
    const guard = createPasscodeGuard(() => now);
    const reports = Array.from({ length: 20 }, (_, i) => guard.failed('m', `client-${i}`));
    expect(reports.slice(0, 19).every((r) => r === undefined)).toBe(true);
    expect(reports[19]).toEqual({ scope: 'meeting', failures: 20, lockedForMs: 2_000 });
    expect(locked(() => guard.check('m', 'fresh-client'))).toBe(true);
    now += 2_001;
    expect(locked(() => guard.check('m', 'fresh-client'))).toBe(false);
  });

  it('forgets a client who got it right, and everything after an hour without failures', () => {
    let now = 0;
    const guard = createPasscodeGuard(() => now);
    for (let i = 0; i < 4; i++) guard.failed('m', 'a');
    guard.succeeded('m', 'a');
    for (let i = 0; i < 4; i++) expect(guard.failed('m', 'a')).toBeUndefined();
    now += 3_600_001;
    expect(guard.failed('m', 'a')).toBeUndefined();
  });
});
