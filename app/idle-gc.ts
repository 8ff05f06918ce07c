import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

/**
 * Full collections while the server is idle, so that the next one under load comes much later.
 *
 * Under load a full collection is the server's longest stall: its marking shares two busy cores
 * with the event loop and puts 30–70 ms of steps on it within ~150 ms (a 30 s round of 4,000
 * chats/s with one had a p99 of 40–200 ms, without one 15–30; docs/capacity.md, twenty-seventh
 * session). When the next one comes is set by how much garbage the old generation may gather
 * first: ten times what was live after the last one (`--heap-growing-percent=900`). V8's own idle
 * collections (its memory reducer) shrink that allowance to 1.1× instead, so a burst of traffic
 * after a lull brought one within seconds. This collects at the lull and leaves the allowance
 * whole (the server runs with the memory reducer off): browsers' V8 does the same in idle time,
 * Node has no idle time to offer it.
 */
export interface IdleGcOptions {
  /** V8's `gc()` (`--expose-gc`); without it nothing is done. */
  gc: (() => unknown) | undefined;
  /** How often the event loop's utilisation is read. */
  everyMs?: number;
  /** Idle: the event loop busy at most this share of each reading (0–1)... */
  maxUtilization?: number;
  /** ...for this many readings in a row. */
  idleReadings?: number;
  /** Only when the old generation grew at least this much since the last full collection. */
  minGrowthBytes?: number;
  onCollected?(report: { ms: number; beforeBytes: number; afterBytes: number }): void;
}

/** What the decision needs from one reading. */
export interface IdleReading {
  utilization: number;
  oldSpaceBytes: number;
}

/**
 * Decides after each reading whether to collect now: after `idleReadings` idle readings in a row,
 * and only if the old space grew `minGrowthBytes` past its size after the last full collection
 * (a server idle for hours collects once, not every few seconds).
 */
export function idleGcDecider(options: {
  maxUtilization: number;
  idleReadings: number;
  minGrowthBytes: number;
}) {
  let idleInARow = 0;
  let baseline: number | undefined;
  return {
    /** Returns true when a collection should run now. */
    next(reading: IdleReading): boolean {
      baseline ??= reading.oldSpaceBytes;
      // The old space can only have shrunk by a full collection of V8's own: the new baseline.
      if (reading.oldSpaceBytes < baseline) baseline = reading.oldSpaceBytes;
      idleInARow = reading.utilization <= options.maxUtilization ? idleInARow + 1 : 0;
      return idleInARow >= options.idleReadings && reading.oldSpaceBytes - baseline >= options.minGrowthBytes;
    },
    /** After a collection: the old space's size then is the new baseline. */
    collected(oldSpaceBytes: number): void {
      baseline = oldSpaceBytes;
      idleInARow = 0;
    },
  };
}

const oldSpaceBytes = (): number =>
  getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_used_size ?? 0;

export function collectWhenIdle(options: IdleGcOptions): { stop(): void } {
  const { gc } = options;
  if (!gc) return { stop: () => undefined };
  const decider = idleGcDecider({
    maxUtilization: options.maxUtilization ?? 0.05,
    idleReadings: options.idleReadings ?? 3,
    minGrowthBytes: options.minGrowthBytes ?? 64 * 1024 * 1024,
  });
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    const beforeBytes = oldSpaceBytes();
    if (!decider.next({ utilization, oldSpaceBytes: beforeBytes })) return;
    const started = performance.now();
    gc();
    const afterBytes = oldSpaceBytes();
    decider.collected(afterBytes);
    // The collection itself is this turn's work, not load: it must not count against idleness.
    last = performance.eventLoopUtilization();
    options.onCollected?.({ ms: performance.now() - started, beforeBytes, afterBytes });
  }, options.everyMs ?? 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
