import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux everywhere that matters). */
const USER_HZ = 100;

/**
 * CPU seconds a process has used, from /proc (Linux); or one of its threads' when `tid` is given
 * (`/proc/<tid>/stat` would give the whole process's). Undefined where that cannot be read.
 */
export function cpuSecondsOf(pid: number, tid?: number): number | undefined {
  try {
    const stat = readFileSync(
      tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`,
      'utf8',
    );
    // Fields after the command name (which may contain spaces, hence the last ')').
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return undefined;
  }
}

/**
 * Each worker's share of a core between two readings (a scrape each): what the "SFU CPU > 80 %"
 * alert watches. The first reading of a worker gives nothing (no interval yet).
 */
export function createWorkerCpuMeter(now: () => number = () => Date.now()) {
  const last = new Map<number, { cpu: number; at: number }>();
  return (
    workers: ReadonlyArray<{ index: number; pid: number }>,
  ): Array<{ worker: string; ratio: number }> => {
    const out: Array<{ worker: string; ratio: number }> = [];
    const at = now();
    for (const { index, pid } of workers) {
      const cpu = cpuSecondsOf(pid);
      if (cpu === undefined) continue;
      const before = last.get(pid);
      last.set(pid, { cpu, at });
      if (before && at > before.at)
        out.push({ worker: String(index), ratio: (cpu - before.cpu) / ((at - before.at) / 1000) });
    }
    return out;
  };
}
