import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Socket } from 'socket.io';
import { startWalCheckpointer } from '../infra/sqlite/wal-checkpointer';
import { serveRelay } from './relay-server';

/**
 * Second baseline: the bare socket.io relay (bare-relay-server.ts) that first stores each chat on
 * disk and only then forwards it and acknowledges it, the way any durable chat must. Its writer
 * (durable-relay-writer.mjs) is the event store's minimum: one SQLite file in WAL mode, an fsync
 * per commit, group commit on a thread of its own, the log copied back by another; the appends of
 * one event-loop turn go over in one message. No validation, no events, no hashing, no bus, no read
 * models: what it costs over the bare relay is the floor any design that appends before it
 * broadcasts pays on this machine. Run as a child process by the benchmark; it prints
 * `{ port, database }` once listening.
 */
const port = Number(process.argv[2] ?? 0);
const dir = mkdtempSync(join(tmpdir(), 'confer-durable-relay-'));
const database = join(dir, 'chats.db');
const writer = new Worker(new URL('./durable-relay-writer.mjs', import.meta.url), {
  workerData: { path: database },
});

interface Chat {
  id: number;
  room: string;
  sender: string;
  message: string;
  at: string;
}
/** Chats sent to the writer, by id, with who to tell once they are on disk. */
const waiting = new Map<number, { chat: Chat; socket: Socket; ack: (r: unknown) => void }>();
let nextId = 1;
let outbox: Chat[] = [];

// Chats are taken only once the writer has its database open (its first message says so); every
// message after that names the chats just committed.
await new Promise((resolve) => writer.once('message', resolve));
writer.on('message', (committed: number[]) => {
  for (const id of committed) {
    const w = waiting.get(id)!;
    waiting.delete(id);
    w.socket
      .to(w.chat.room)
      .emit('chat', { message: w.chat.message, from: w.chat.sender, timestamp: w.chat.at });
    w.ack({ ok: true, data: {} });
  }
});

// The write-ahead log copied back off the commits' path, every 250 ms as the event store's is.
const checkpointer = startWalCheckpointer(database, 250);
const stop = () => {
  void Promise.all([checkpointer.close(), writer.terminate()]).finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
serveRelay(
  port,
  (socket, room, message, ack) => {
    const chat = { id: nextId++, room, sender: socket.id, message, at: new Date().toISOString() };
    waiting.set(chat.id, { chat, socket, ack });
    if (outbox.length === 0)
      process.nextTick(() => {
        writer.postMessage(outbox);
        outbox = [];
      });
    outbox.push(chat);
  },
  { database },
);
