import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointerMessage } from './wal-checkpointer';

/** The thread of wal-checkpointer.ts: a PASSIVE checkpoint of one file every `everyMs`. */
const { path, everyMs } = workerData as { path: string; everyMs: number };
const port = parentPort!;
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
