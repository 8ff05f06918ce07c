import { readFileSync } from 'node:fs';
import { labelledMetric, sumMetric } from '../loadtest/prometheus-text';

/**
 * What else happened during a measured round, beside the figures themselves: on a shared
 * machine a round's p99 is often decided by a stall, and these say where it came from.
 * - The machine: CPU time stolen by the hypervisor, and the share of time some task waited for
 *   I/O or for a CPU (Linux pressure stall information, /proc/pressure), over the round.
 * - The server's event store writer: its batches from `/metrics` (histogram
 *   `confer_event_store_write_seconds`), so a round whose acknowledgements stalled can be told
 *   apart from one whose disk did.
 */
export interface MachineReading {
  at: number;
  stealTicks: number;
  allTicks: number;
  /** Cumulative µs during which some task waited (io, cpu); undefined without PSI. */
  ioSomeUs?: number;
  cpuSomeUs?: number;
}

export function readMachine(): MachineReading {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice: guests are inside user/nice.
  const allTicks = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return {
    at: performance.now(),
    stealTicks: cpu[7] ?? 0,
    allTicks,
    ...optional('ioSomeUs', pressureTotal('io')),
    ...optional('cpuSomeUs', pressureTotal('cpu')),
  };
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

function pressureTotal(resource: 'io' | 'cpu'): number | undefined {
  try {
    const some = readFileSync(`/proc/pressure/${resource}`, 'utf8').split('\n')[0]!;
    const total = /total=(\d+)/.exec(some)?.[1];
    return total === undefined ? undefined : Number(total);
  } catch {
    return undefined;
  }
}

export interface MachineNoise {
  /** % of all CPU time the hypervisor gave to someone else. */
  stealPct: number;
  /** % of the round during which some task waited for I/O (or for a CPU): undefined without PSI. */
  ioWaitPct?: number;
  cpuWaitPct?: number;
}

export function machineNoise(from: MachineReading, to: MachineReading): MachineNoise {
  const ticks = Math.max(1, to.allTicks - from.allTicks);
  const us = Math.max(1, (to.at - from.at) * 1000);
  const pct = (a?: number, b?: number) =>
    a === undefined || b === undefined ? undefined : Math.round((1000 * (b - a)) / us) / 10;
  return {
    stealPct: Math.round((1000 * (to.stealTicks - from.stealTicks)) / ticks) / 10,
    ...optional('ioWaitPct', pct(from.ioSomeUs, to.ioSomeUs)),
    ...optional('cpuWaitPct', pct(from.cpuSomeUs, to.cpuSomeUs)),
  };
}

/** The writer's histogram as scraped: cumulative count per upper bound (seconds), +Inf last. */
export type WriteBuckets = [le: number, count: number][];

export function storeWriteBuckets(metricsText: string): WriteBuckets {
  return histogramBuckets(metricsText, 'confer_event_store_write_seconds');
}

/** A histogram's cumulative buckets as scraped, summed over its label sets (types, stages). */
export function histogramBuckets(metricsText: string, name: string): WriteBuckets {
  const counts = new Map<number, number>();
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${name}_bucket{`)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    counts.set(bound, (counts.get(bound) ?? 0) + Number(line.split(' ').at(-1)));
  }
  return [...counts].sort((a, b) => a[0] - b[0]);
}

/**
 * Between two scrapes of one histogram: how many were observed, and the upper bound (ms) of the
 * bucket holding the `quantile`-th of them (Infinity: beyond the last bucket; 0: none observed).
 */
export function histogramBetween(
  before: WriteBuckets,
  after: WriteBuckets,
  quantile: number,
): { count: number; atMostMs: number } {
  const countAt = (buckets: WriteBuckets, le: number) => buckets.find(([bound]) => bound === le)?.[1] ?? 0;
  const delta = after.map(([le, count]) => [le, count - countAt(before, le)] as const);
  const count = delta.at(-1)?.[1] ?? 0;
  if (count === 0) return { count, atMostMs: 0 };
  const bound = delta.find(([, c]) => c >= quantile * count)?.[0] ?? Infinity;
  return { count, atMostMs: bound * 1000 };
}

export interface StoreWrites {
  batches: number;
  /** Batches that took longer than 250 ms. */
  over250ms: number;
  /** Upper bound of the slowest batch's bucket, ms (Infinity: beyond the last bucket). */
  slowestAtMostMs: number;
}

/** The writer's batches between two scrapes. */
export function storeWritesBetween(before: WriteBuckets, after: WriteBuckets): StoreWrites {
  const countAt = (buckets: WriteBuckets, le: number) => buckets.find(([bound]) => bound === le)?.[1] ?? 0;
  const delta = after.map(([le, count]) => [le, count - countAt(before, le)] as const);
  const batches = delta.at(-1)?.[1] ?? 0;
  const upTo250 = delta.find(([le]) => le === 0.25)?.[1] ?? 0;
  // The smallest bound under which every batch of the round falls.
  const slowest = delta.find(([, count]) => count === batches)?.[0] ?? 0;
  return { batches, over250ms: batches - upTo250, slowestAtMostMs: batches === 0 ? 0 : slowest * 1000 };
}

/** The server's garbage collection as scraped (`nodejs_gc_duration_seconds`, every kind). */
export interface GcReading {
  seconds: number;
  scavenges: number;
  /** Of `seconds`, the scavenges' (young-generation collections). */
  scavengeSeconds: number;
  /** Collections of the other kinds (mark-compact, its incremental steps, weak callbacks). */
  others: number;
  /** Of those, the full (mark-compact) collections themselves. */
  majors: number;
  /** The old generation's live and dead bytes (prom-client's heap-space gauge), where served. */
  oldSpaceBytes?: number;
}

export function gcReading(metricsText: string): GcReading | undefined {
  const seconds = sumMetric(metricsText, 'nodejs_gc_duration_seconds_sum');
  const all = sumMetric(metricsText, 'nodejs_gc_duration_seconds_count');
  if (seconds === undefined || all === undefined) return undefined;
  const scavenges = labelledMetric(metricsText, 'nodejs_gc_duration_seconds_count', 'kind', 'minor') ?? 0;
  const scavengeSeconds = labelledMetric(metricsText, 'nodejs_gc_duration_seconds_sum', 'kind', 'minor') ?? 0;
  const majors = labelledMetric(metricsText, 'nodejs_gc_duration_seconds_count', 'kind', 'major') ?? 0;
  const oldSpaceBytes = labelledMetric(metricsText, 'nodejs_heap_space_size_used_bytes', 'space', 'old');
  return {
    seconds,
    scavenges,
    scavengeSeconds,
    others: all - scavenges,
    majors,
    ...(oldSpaceBytes === undefined ? {} : { oldSpaceBytes }),
  };
}

export interface GcActivity {
  /** % of the window the event loop spent collecting. */
  pct: number;
  scavenges: number;
  /** A scavenge's mean pause, ms (every one of them holds the event loop). */
  scavengeMs: number;
  others: number;
  majors: number;
  /**
   * What the old generation grew by: objects promoted or allocated there, nearly all of them dead
   * soon, which is what brings the next full collection. Only when no full collection came between
   * the readings (it would have freed some), and only where the heap is served.
   */
  oldGrowthBytes?: number;
}

/** The garbage collection between two readings `seconds` apart. */
export function gcBetween(before: GcReading, after: GcReading, seconds: number): GcActivity {
  const scavenges = after.scavenges - before.scavenges;
  const majors = after.majors - before.majors;
  const oldGrowth =
    majors === 0 && before.oldSpaceBytes !== undefined && after.oldSpaceBytes !== undefined
      ? { oldGrowthBytes: after.oldSpaceBytes - before.oldSpaceBytes }
      : {};
  return {
    pct: Math.round((1000 * (after.seconds - before.seconds)) / Math.max(seconds, 1e-3)) / 10,
    scavenges,
    scavengeMs:
      scavenges > 0
        ? Math.round((1e4 * (after.scavengeSeconds - before.scavengeSeconds)) / scavenges) / 10
        : 0,
    others: after.others - before.others,
    majors,
    ...oldGrowth,
  };
}
