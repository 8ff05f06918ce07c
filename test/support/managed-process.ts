import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { trackProcess } from './cleanup-registry.js';

/** How a child ended. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  /** Short name used in error messages, e.g. "postgres". */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** stdout and stderr are appended here (the child writes to it directly). */
  readonly logFile: string;
  /** Sent to the child if the test process exits while it runs. */
  readonly exitSignal: NodeJS.Signals;
  readonly cwd?: string | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Run as this user (needs root); postgres refuses to run as root. */
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
}

/** A server child process whose output goes to a log file. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Settles when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  /** What this process wrote to the log (the file may hold earlier runs). */
  output(): Promise<string>;
  running(): boolean;
  signal(signal: NodeJS.Signals): void;
  /** Sends `signal`, then SIGKILL if the process is still there after `timeoutMs`. */
  stop(signal: NodeJS.Signals, timeoutMs: number): Promise<ExitInfo>;
}

/** A service that did not come up; the message ends with the tail of its log. */
export class ServiceStartError extends Error {
  constructor(message: string, logTail: string) {
    super(logTail === '' ? message : `${message}\n--- last lines of the log ---\n${logTail}`);
    this.name = 'ServiceStartError';
  }
}

/** A log file from the byte `from(size)` on, or '' when it cannot be read. */
async function readFrom(file: string, from: (size: number) => number): Promise<string> {
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const offset = Math.min(size, Math.max(0, from(size)));
      const buffer = Buffer.alloc(size - offset);
      await handle.read(buffer, 0, buffer.length, offset);
      return buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}

/** The last `bytes` of a log file, or '' when it cannot be read. */
export async function readLogTail(file: string, bytes = 6_000): Promise<string> {
  return (await readFrom(file, (size) => size - bytes)).trimEnd();
}

function describeExit(exit: ExitInfo): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
}

/** Spawns the child with its output in `logFile`; resolves once it runs. */
export async function spawnManaged(options: SpawnOptions): Promise<ManagedProcess> {
  // The child gets the file descriptor itself, so its output lands on disk
  // even if this process is busy or gone, and nothing buffers in memory.
  const fd = openSync(options.logFile, 'a');
  // A restarted server appends to the same log: remember where this run begins.
  const logOffset = fstatSync(fd).size;
  let child;
  try {
    child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      uid: options.uid,
      gid: options.gid,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }

  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) =>
      reject(new Error(`${options.name}: cannot start ${options.command}: ${error.message}`)),
    );
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: spawned without a pid`);
  const untrack = trackProcess(pid, options.exitSignal);
  void exited.then(untrack);

  const running = (): boolean => exitInfo === undefined;
  const signal = (sig: NodeJS.Signals): void => {
    if (running()) child.kill(sig);
  };
  const stop = async (sig: NodeJS.Signals, timeoutMs: number): Promise<ExitInfo> => {
    signal(sig);
    const timer = setTimeout(() => signal('SIGKILL'), timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  const output = async (): Promise<string> => readFrom(options.logFile, () => logOffset);
  return { name: options.name, pid, logFile: options.logFile, exited, output, running, signal, stop };
}

export interface WaitOptions {
  /** What we wait for, for the error message: "postgres to accept connections". */
  readonly what: string;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Fail fast, with its log, if this process exits while we wait. */
  readonly process: ManagedProcess;
}

/**
 * Polls `check` until it returns true. Throws a ServiceStartError that carries
 * the log tail when the process exits first or the timeout passes; the last
 * error thrown by `check` is named in the message.
 */
export async function waitUntil(check: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const { process: child, what, timeoutMs } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    if (!child.running()) {
      const exit = await child.exited;
      throw new ServiceStartError(
        `${child.name} exited (${describeExit(exit)}) while waiting for ${what}; log: ${child.logFile}`,
        await readLogTail(child.logFile),
      );
    }
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      const cause = lastError === '' ? '' : ` (last error: ${lastError})`;
      throw new ServiceStartError(
        `timed out after ${timeoutMs} ms waiting for ${what}${cause}; log: ${child.logFile}`,
        await readLogTail(child.logFile),
      );
    }
    await sleep(options.intervalMs ?? 100);
  }
}
