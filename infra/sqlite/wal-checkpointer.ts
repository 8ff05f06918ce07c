import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * Copies a SQLite file's write-ahead log into the file, on a thread of its own. Left to SQLite,
 * the commit that takes the log past 1,000 pages does it (wal_autocheckpoint), synchronously:
 * one commit in ten of the event store's writer at 4,000 appends a second took 4–9 ms instead of
 * 1.7, every append arriving meanwhile waiting for it; and a commit on the server's event loop
 * (the projection store's) stalled every socket for as long. A PASSIVE checkpoint from another
 * connection never waits for a writer nor makes one wait. The connections that commit keep a
 * far larger threshold (`leaveCheckpointsToThread`) as a backstop, should the thread stop. The
 * thread runs at niceness 10 (Linux): its copying comes in bursts that should not take a core from
 * the event loop or the store's writer.
 */
export interface WalCheckpointer {
  close(): Promise<void>;
}

export type CheckpointerMessage = { type: 'close' };

/** About 64 MiB of log: only reached when the checkpointer has stopped or fallen far behind. */
const BACKSTOP_PAGES = 16_384;

/** For each connection that commits to a file a checkpointer thread looks after. */
export function leaveCheckpointsToThread(db: Database.Database): void {
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
}

/** Starts the thread; the file must exist (in WAL mode). */
export function startWalCheckpointer(path: string, everyMs: number): WalCheckpointer {
  const thread = new Worker(new URL('./wal-checkpointer.worker.mjs', import.meta.url), {
    workerData: { path, everyMs },
  });
  // Without it the writers' backstop still bounds the log: nothing to fail for anyone.
  thread.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  return {
    async close() {
      thread.postMessage({ type: 'close' } satisfies CheckpointerMessage);
      await exited;
    },
  };
}
