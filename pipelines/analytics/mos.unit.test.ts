import { describe, expect, it } from 'vitest';
import { mosOf } from './mos';

describe('E-model MOS', () => {
  it('rates a clean short path near the top of the scale', () => {
    expect(mosOf({ rttMs: 20, jitterMs: 2, lossPct: 0 })).toBeGreaterThan(4.3);
  });
  it('falls with loss, round trip and jitter, and stays within 1–4.5', () => {
    const clean = mosOf({ rttMs: 40, jitterMs: 5, lossPct: 0 })!;
    expect(mosOf({ rttMs: 40, jitterMs: 5, lossPct: 5 })!).toBeLessThan(clean);
    expect(mosOf({ rttMs: 600, jitterMs: 5, lossPct: 0 })!).toBeLessThan(clean);
    expect(mosOf({ rttMs: 40, jitterMs: 80, lossPct: 0 })!).toBeLessThan(clean);
    expect(mosOf({ rttMs: 5000, jitterMs: 1000, lossPct: 100 })).toBe(1);
    // 5 % loss on a good path is noticeably worse but still usable (R ≈ 80 → MOS ≈ 4.0).
    expect(mosOf({ rttMs: 40, jitterMs: 5, lossPct: 5 })).toBeCloseTo(3.99, 1);
  });
  it('gives no score without a round trip or a loss figure', () => {
    expect(mosOf({ rttMs: null, jitterMs: 3, lossPct: null })).toBeNull();
  });
});
