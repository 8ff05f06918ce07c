import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * Where `--chat-pin-tester` puts the chat load's processes: the tester (this process) on CPU 0,
 * the servers under test (Confer, the bare relay) on every other CPU. A variant of the chat bench
 * beside its usual method, never instead of it: it shows what a chat costs once the tester's
 * bursts no longer take the servers' CPUs, and moves both targets alike.
 */
export function pinnedCpus(cpus = availableParallelism()): { tester: string; servers: string } {
  if (cpus < 2) throw new Error(`--chat-pin-tester: needs at least 2 CPUs, this machine has ${cpus}`);
  return { tester: '0', servers: cpus === 2 ? '1' : `1-${cpus - 1}` };
}

/**
 * Moves every thread of `pid` to `cpus` (`taskset -a -p -c`, util-linux), then checks in /proc
 * that each thread is there (taskset says nothing of a process gone meanwhile); threads it starts
 * later inherit the affinity of the thread that starts them. Throws, naming the process, if not.
 */
export function pinProcess(pid: number, cpus: string): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
    const allowed = allowedCpusByThread(pid);
    if (allowed.some((list) => list !== cpus)) throw new Error(`its threads allow ${allowed.join(', ')}`);
  } catch (error) {
    throw new Error(
      `could not pin process ${pid} to CPUs ${cpus}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** The CPUs each thread of `pid` may run on, as /proc lists them (`Cpus_allowed_list`). */
export function allowedCpusByThread(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '?';
  });
}
