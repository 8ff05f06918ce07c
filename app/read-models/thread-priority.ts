import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
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

/**
 * Puts the calling thread under Linux's SCHED_IDLE policy (sched(7)): it runs only on a core that
 * no other thread wants, and a thread of the normal policy waking up takes that core from it at
 * once. A niceness of 19 alone does not: the kernel's scheduler (EEVDF since Linux 6.6) lets the
 * running thread finish its slice first, and counts a core busy with it as busy when it places a
 * waking thread. Measured on the chat load (docs/capacity.md, nineteenth session), the event loop
 * waited for a core 10–12 % of the time instead of 17–19 %.
 *
 * Node has no call for sched_setscheduler(2), so util-linux's `chrt` sets it on this thread's id
 * (from /proc/thread-self), once, at the thread's start. Returns why it was not applied, or
 * undefined once applied (never throws).
 */
export function setThreadIdlePolicy(): string | undefined {
  if (process.platform !== 'linux') return `SCHED_IDLE is a Linux policy (this is ${process.platform})`;
  try {
    const tid = readlinkSync('/proc/thread-self').split('/').pop()!;
    execFileSync('chrt', ['--idle', '--pid', '0', tid], { stdio: 'ignore', timeout: 5_000 });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
