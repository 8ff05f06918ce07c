import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointerMessage } from './wal-checkpointer';

const CHECKPOINTER_NICENESS = 10;

/** The thread of wal-checkpointer.ts: a PASSIVE checkpoint of one file every `everyMs`. */
const { path, everyMs } = workerData as { path: string; everyMs: number };
const port = parentPort!;
// Housekeeping, off every commit's path: it yields to the event loop and the store's writer
// (niceness 10, never raised above the thread that started it). On Linux a niceness is a
// thread's own (setpriority(PRIO_PROCESS, 0) acts on the caller), elsewhere it would be the
// process's: left alone there.
if (process.platform === 'linux') {
  try {
    setPriority(0, Math.max(getPriority(0), CHECKPOINTER_NICENESS));
  } catch {
    // Not allowed here: it runs as it is.
  }
}
const db = new Database(path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');

const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or interrupted: the next round, or the writers' backstop, copies what is left.
  }
};
const timer = setInterval(checkpoint, everyMs);

port.on('message', (message: CheckpointerMessage) => {
  if (message.type !== 'close') return;
  clearInterval(timer);
  db.close();
  port.close();
});
