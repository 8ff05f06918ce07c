import { readdirSync } from 'node:fs';
import { cpuSecondsOf } from '../app/worker-cpu';

/** CPU seconds of each thread of a process (thread id → seconds), read from /proc. */
export function threadCpu(pid: number): Map<number, number> {
  const threads = new Map<number, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    const seconds = cpuSecondsOf(pid, Number(tid)); // undefined: the thread ended meanwhile
    if (seconds !== undefined) threads.set(Number(tid), seconds);
  }
  return threads;
}

export interface ThreadShares {
  /** % of one core, over the interval: the process's main thread (Node's event loop). */
  mainPct: number;
  /** The busiest other threads (a Node server's worker threads: SQLite writer, read models), % each. */
  busiestOtherPct: number[];
  /** The whole process, % of one core. */
  processPct: number;
}

/**
 * Where a process's CPU went between two readings of threadCpu, per thread, as % of one core.
 * Node names no thread, so the main thread is told by its id (the process id) and the others by
 * how busy they were.
 */
export function threadShares(
  pid: number,
  before: Map<number, number>,
  after: Map<number, number>,
  seconds: number,
): ThreadShares {
  const pct = (s: number) => Math.round((1000 * s) / seconds) / 10;
  const used = [...after].map(([tid, s]) => [tid, s - (before.get(tid) ?? 0)] as const);
  const main = used.find(([tid]) => tid === pid)?.[1] ?? 0;
  const others = used
    .filter(([tid]) => tid !== pid)
    .map(([, s]) => s)
    .sort((a, b) => b - a);
  return {
    mainPct: pct(main),
    busiestOtherPct: others.slice(0, 3).map(pct),
    processPct: pct(used.reduce((sum, [, s]) => sum + s, 0)),
  };
}
