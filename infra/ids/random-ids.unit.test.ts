import { describe, expect, it } from 'vitest';
import { createRandomIds } from './random-ids';

describe('random ids', () => {
  it('gives event ids that are UUIDs of version 7, each later one sorting after the earlier', () => {
    const ids = createRandomIds();
    const made = Array.from({ length: 5000 }, () => ids.eventId());
    for (const id of made)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Many within one millisecond: still strictly increasing (the index grows at its end).
    expect(made.every((id, i) => i === 0 || id > made[i - 1]!)).toBe(true);
    expect(new Set(made).size).toBe(made.length);
  });

  it('puts the creation time in an event id, to the millisecond', () => {
    const before = Date.now();
    const id = createRandomIds().eventId();
    const after = Date.now();
    const ms = parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('gives meeting ids that never start like a command-line option', () => {
    const ids = createRandomIds();
    for (let i = 0; i < 2000; i++) expect(ids.meetingId()).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{21}$/);
  });
});
