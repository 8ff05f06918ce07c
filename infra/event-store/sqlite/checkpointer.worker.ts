import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/**
 * Copies the SQLite event store's write-ahead log into the database file, on its own thread.
 * Left to SQLite, the commit that takes the log past 1,000 pages does it (wal_autocheckpoint):
 * one commit in ten at 4,000 appends a second then took 4–9 ms instead of 1.7, and every append
 * that arrived meanwhile waited for it. A PASSIVE checkpoint from another connection never waits
 * for the writer nor makes it wait; the writer keeps a far larger threshold as a backstop.
 */
export type CheckpointerMessage = { type: 'close' };

const { path, everyMs } = workerData as { path: string; everyMs: number };
const port = parentPort!;
const db = new Database(path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');

const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or interrupted: the next round, or the writer's backstop, copies what is left.
  }
};
const timer = setInterval(checkpoint, everyMs);

port.on('message', (message: CheckpointerMessage) => {
  if (message.type !== 'close') return;
  clearInterval(timer);
  db.close();
  port.close();
});
