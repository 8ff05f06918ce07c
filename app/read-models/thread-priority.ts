import { setPriority } from 'node:os';

/**
 * Gives the calling thread the niceness `niceness` (0–19, as `nice`), leaving the process's other
 * threads as they are. On Linux a niceness belongs to a thread: setpriority(PRIO_PROCESS, 0) acts
 * on the caller alone (setpriority(2), "NOTES"), which is what Node's `os.setPriority(0, …)` calls.
 * Elsewhere it would lower the whole process, the server's event loop with it, so it is not done.
 * Returns why it was not applied, or undefined once applied (never throws: the thread then runs
 * as it was).
 */
export function setThreadNiceness(niceness: number): string | undefined {
  if (process.platform !== 'linux')
    return `a thread's niceness is set on Linux only (this is ${process.platform})`;
  try {
    setPriority(0, niceness);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
