import { describe, expect, it } from 'vitest';
import {
  gcBetween,
  gcReading,
  histogramBetween,
  histogramBuckets,
  machineNoise,
  readMachine,
  storeWriteBuckets,
  storeWritesBetween,
} from './round-context';

/** prom-client's exposition of the writer's histogram, as /metrics serves it. */
const scrape = (counts: number[]) => {
  const bounds = [
    '0.001',
    '0.0025',
    '0.005',
    '0.01',
    '0.025',
    '0.05',
    '0.1',
    '0.25',
    '0.5',
    '1',
    '2.5',
    '5',
    '+Inf',
  ];
  return [
    '# HELP confer_event_store_write_seconds The embedded event store writer, per batch',
    '# TYPE confer_event_store_write_seconds histogram',
    ...bounds.map((le, i) => `confer_event_store_write_seconds_bucket{le="${le}",node="n1"} ${counts[i]}`),
    `confer_event_store_write_seconds_sum{node="n1"} 1.5`,
    `confer_event_store_write_seconds_count{node="n1"} ${counts.at(-1)}`,
    'confer_event_lag_seconds_bucket{le="0.25",stage="broadcast",node="n1"} 999',
  ].join('\n');
};

describe("a round's context", () => {
  it("counts the writer's batches of the round, the slow ones, and bounds the slowest", () => {
    // Cumulative counts: before the round 10 batches, all ≤ 5 ms.
    const before = storeWriteBuckets(scrape([2, 6, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10]));
    // During it: 40 more, three of them over 250 ms, the slowest between 1 and 2.5 s.
    const after = storeWriteBuckets(scrape([5, 20, 30, 35, 40, 43, 45, 47, 48, 49, 50, 50, 50]));
    expect(storeWritesBetween(before, after)).toEqual({ batches: 40, over250ms: 3, slowestAtMostMs: 2500 });
    expect(storeWritesBetween(after, after)).toEqual({ batches: 0, over250ms: 0, slowestAtMostMs: 0 });
    // Past the last bound: no finite bound holds them all.
    const beyond = storeWriteBuckets(scrape([5, 20, 30, 35, 40, 43, 45, 47, 48, 49, 50, 50, 51]));
    expect(storeWritesBetween(after, beyond).slowestAtMostMs).toBe(Infinity);
  });

  it('reads only the writer histogram from a full scrape', () => {
    expect(storeWriteBuckets(scrape(Array.from({ length: 13 }, () => 1)))).toHaveLength(13);
    expect(storeWriteBuckets('confer_event_lag_seconds_bucket{le="0.25"} 3')).toEqual([]);
  });

  it("sums a labelled histogram's buckets over its label sets, and bounds a quantile between scrapes", () => {
    const command = (chat: number[], join: number[]) =>
      ['0.01', '0.1', '+Inf']
        .flatMap((le, i) => [
          `confer_command_duration_seconds_bucket{le="${le}",type="SendChatMessage",node="n1"} ${chat[i]}`,
          `confer_command_duration_seconds_bucket{le="${le}",type="JoinMeeting",node="n1"} ${join[i]}`,
        ])
        .concat('confer_command_duration_seconds_count{type="JoinMeeting",node="n1"} 5')
        .join('\n');
    const before = histogramBuckets(command([10, 10, 10], [1, 2, 2]), 'confer_command_duration_seconds');
    expect(before).toEqual([
      [0.01, 11],
      [0.1, 12],
      [Infinity, 12],
    ]);
    // 100 more: 97 within 10 ms, 2 within 100 ms, 1 beyond.
    const after = histogramBuckets(command([100, 103, 103], [8, 8, 9]), 'confer_command_duration_seconds');
    expect(histogramBetween(before, after, 0.5)).toEqual({ count: 100, atMostMs: 10 });
    expect(histogramBetween(before, after, 0.99)).toEqual({ count: 100, atMostMs: 100 });
    expect(histogramBetween(before, after, 1)).toEqual({ count: 100, atMostMs: Infinity });
    expect(histogramBetween(after, after, 0.99)).toEqual({ count: 0, atMostMs: 0 });
  });

  it("reads the server's garbage collection, every kind, and its share of a round", () => {
    const gc = (minorSum: number, minor: number, major: number, old = 50e6) =>
      [
        '# TYPE nodejs_gc_duration_seconds histogram',
        `nodejs_gc_duration_seconds_bucket{le="0.001",kind="minor",node="n1"} ${minor}`,
        `nodejs_gc_duration_seconds_sum{kind="minor",node="n1"} ${minorSum}`,
        `nodejs_gc_duration_seconds_count{kind="minor",node="n1"} ${minor}`,
        `nodejs_gc_duration_seconds_sum{kind="major",node="n1"} 0.5`,
        `nodejs_gc_duration_seconds_count{kind="major",node="n1"} ${major}`,
        `nodejs_heap_space_size_used_bytes{space="new",node="n1"} 9000000`,
        `nodejs_heap_space_size_used_bytes{space="old",node="n1"} ${old}`,
      ].join('\n');
    const before = gcReading(gc(1, 100, 2))!;
    expect(before).toEqual({
      seconds: 1.5,
      scavenges: 100,
      scavengeSeconds: 1,
      others: 2,
      majors: 2,
      oldSpaceBytes: 50e6,
    });
    // 10 s later: 60 scavenges more, 0.6 s of them, and one mark-compact (no time of its own
    // here), which freed old space: what the old generation grew by is then not known.
    const after = gcReading(gc(1.6, 160, 3, 30e6))!;
    // Every window below: 6 % of its time collecting, 10 ms a scavenge.
    const steady = { pct: 6, scavengeMs: 10 };
    expect(gcBetween(before, after, 10)).toEqual({ ...steady, scavenges: 60, others: 1, majors: 1 });
    // Without a full collection in between, the old space's growth is what was promoted into it.
    const later = gcReading(gc(1.9, 190, 3, 42e6))!;
    expect(gcBetween(after, later, 5)).toEqual({
      ...steady,
      scavenges: 30,
      others: 0,
      majors: 0,
      oldGrowthBytes: 12e6,
    });
    // A relay serving no heap gauge: its GC still reads, its growth is left out.
    const bare = (text: string) =>
      text
        .split('\n')
        .filter((l) => !l.includes('heap_space'))
        .join('\n');
    const [bareBefore, bareAfter] = [gcReading(bare(gc(1, 100, 2)))!, gcReading(bare(gc(1.6, 160, 2)))!];
    expect(gcBetween(bareBefore, bareAfter, 10)).toEqual({ ...steady, scavenges: 60, others: 0, majors: 0 });
    expect(gcReading('confer_event_lag_seconds_bucket{le="0.25"} 3')).toBeUndefined();
  });

  it('turns two readings of the machine into shares of the interval', () => {
    const a = { at: 0, stealTicks: 100, allTicks: 10_000, ioSomeUs: 1_000_000, cpuSomeUs: 0 };
    // 2 s later: 400 ticks of 2,000 stolen, I/O stalls for 0.5 s of it, CPU waits for 1 s.
    const b = { at: 2000, stealTicks: 500, allTicks: 12_000, ioSomeUs: 1_500_000, cpuSomeUs: 1_000_000 };
    expect(machineNoise(a, b)).toEqual({ stealPct: 20, ioWaitPct: 25, cpuWaitPct: 50 });
    const { ioSomeUs: _io, cpuSomeUs: _cpu, ...withoutPressure } = b;
    expect(machineNoise(a, withoutPressure)).toEqual({ stealPct: 20 });
  });

  it.runIf(process.platform === 'linux')('reads this machine', () => {
    const first = readMachine();
    const later = readMachine();
    expect(later.allTicks).toBeGreaterThanOrEqual(first.allTicks);
    expect(later.stealTicks).toBeGreaterThanOrEqual(first.stealTicks);
    expect(first.allTicks).toBeGreaterThan(0);
  });
});
