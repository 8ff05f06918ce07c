import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createBatchWriter, type AppendOutcome, type AppendRequest } from './batch-writer';
import { migrate } from './schema';
import { leaveCheckpointsToThread } from '../../sqlite/wal-checkpointer';

/**
 * The SQLite event store's writer, on its own thread: fsync (synchronous=FULL) and hashing never
 * block the server's event loop, and appends that arrive while a batch is being written wait for
 * the next batch — group commit that grows with load and adds no delay when idle.
 */
export type WriterRequest = { type: 'append'; id: number } & AppendRequest;
/** The appends of one event-loop turn of the server, in one message (one copy, one wake-up). */
export type WriterMessage =
  /** `postedAt`: when the server posted it (performance.timeOrigin + now(), one clock for both threads). */
  { type: 'appends'; requests: WriterRequest[]; postedAt: number } | { type: 'close' };
export type WriterReply =
  | { type: 'ready' }
  /**
   * `seconds`: the batch's hashing, inserts and commit (fsync included). `queuedSeconds`: how long
   * its oldest append waited, from the server posting it to the batch starting (the message's way
   * across, and the batches written before it).
   */
  | {
      type: 'written';
      outcomes: { id: number; outcome: AppendOutcome }[];
      seconds: number;
      queuedSeconds: number;
    }
  | { type: 'failed'; ids: number[]; message: string };

const { path, maxBatch, checkpointsLeftToThread } = workerData as {
  path: string;
  maxBatch: number;
  checkpointsLeftToThread: boolean;
};
const port = parentPort!;
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
if (checkpointsLeftToThread) leaveCheckpointsToThread(db);
migrate(db);
const writeBatch = createBatchWriter(db);

const pending: WriterRequest[] = [];
/** When each pending request was posted, in the same order (kept apart: requests go to SQLite as they are). */
const postedAt: number[] = [];
let scheduled = false;
const now = () => performance.timeOrigin + performance.now();

function flush(): void {
  scheduled = false;
  while (pending.length > 0) {
    const batch = pending.splice(0, maxBatch);
    const oldest = postedAt.splice(0, batch.length)[0]!;
    try {
      const started = now();
      const outcomes = writeBatch(batch);
      port.postMessage({
        type: 'written',
        outcomes: batch.map((r, i) => ({ id: r.id, outcome: outcomes[i]! })),
        seconds: (now() - started) / 1000,
        queuedSeconds: Math.max(0, started - oldest) / 1000,
      } satisfies WriterReply);
    } catch (error) {
      port.postMessage({
        type: 'failed',
        ids: batch.map((r) => r.id),
        message: (error as Error).message,
      } satisfies WriterReply);
    }
  }
}

port.on('message', (message: WriterMessage) => {
  if (message.type === 'close') {
    flush();
    db.close();
    port.close();
    return;
  }
  for (const request of message.requests) {
    pending.push(request);
    postedAt.push(message.postedAt);
  }
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
});
port.postMessage({ type: 'ready' } satisfies WriterReply);
