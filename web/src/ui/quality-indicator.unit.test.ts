import { describe, expect, it } from 'vitest';
import type { ConnectionQuality } from '../../../protocol/signaling';
import { qualityLevel } from './quality-indicator';

const q = (patch: Partial<ConnectionQuality>): ConnectionQuality => ({
  rttMs: null,
  packetLossPct: null,
  jitterMs: null,
  bitrateKbps: null,
  score: null,
  ...patch,
});

describe('qualityLevel', () => {
  it('is unknown until something is measured', () => {
    expect(qualityLevel(undefined)).toBe('unknown');
    expect(qualityLevel(q({}))).toBe('unknown');
  });

  it('follows loss and round-trip time', () => {
    expect(qualityLevel(q({ rttMs: 20, packetLossPct: 0 }))).toBe('good');
    expect(qualityLevel(q({ rttMs: 250, packetLossPct: 1 }))).toBe('fair');
    expect(qualityLevel(q({ rttMs: 30, packetLossPct: 5 }))).toBe('fair');
    expect(qualityLevel(q({ rttMs: 30, packetLossPct: 12 }))).toBe('poor');
  });

  it('lets a low score lower a clean reading by one step only', () => {
    expect(qualityLevel(q({ rttMs: 5, packetLossPct: 0, score: 0 }))).toBe('fair');
    expect(qualityLevel(q({ rttMs: 250, packetLossPct: 0, score: 0 }))).toBe('poor');
    expect(qualityLevel(q({ rttMs: 5, packetLossPct: 0, score: 10 }))).toBe('good');
  });

  it('uses the score alone when nothing else is known', () => {
    expect(qualityLevel(q({ score: 9 }))).toBe('good');
    expect(qualityLevel(q({ score: 5 }))).toBe('fair');
    expect(qualityLevel(q({ score: 1 }))).toBe('poor');
  });
});
