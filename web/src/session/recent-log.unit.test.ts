import { describe, expect, it } from 'vitest';
import { RecentLog } from './recent-log';

describe('RecentLog', () => {
  it('keeps the newest entries up to its capacity, each with its time, oldest first', () => {
    const log = new RecentLog<{ why: string }>(3);
    for (const why of ['a', 'b', 'c', 'd']) log.add({ why });
    expect(log.entries.map((e) => e.why)).toEqual(['b', 'c', 'd']);
    for (const entry of log.entries) expect(Number.isNaN(Date.parse(entry.at))).toBe(false);
  });
});
