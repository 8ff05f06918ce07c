import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Registry } from 'prom-client';
import { Server, type Socket } from 'socket.io';
import { observeEveryGc } from '../app/gc-metrics';

/**
 * Second baseline: the bare socket.io relay (bare-relay-server.ts) that first stores each chat on
 * disk and only then forwards it and acknowledges it, the way any durable chat must. Its writer
 * (durable-relay-writer.mjs) is the event store's minimum: one SQLite file in WAL mode, an fsync
 * per commit, group commit on a thread of its own; the appends of one event-loop turn go over in
 * one message. No validation, no events, no hashing, no bus, no read models: what it costs over
 * the bare relay is the floor any design that appends before it broadcasts pays on this machine.
 * Run as a child process by the benchmark; it prints `{ port, database }` once listening.
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

writer.on('message', (reply: 'ready' | { ids: number[]; positions: number[] }) => {
  if (reply === 'ready') return;
  for (const id of reply.ids) {
    const w = waiting.get(id)!;
    waiting.delete(id);
    w.socket
      .to(w.chat.room)
      .emit('chat', { message: w.chat.message, from: w.chat.sender, timestamp: w.chat.at });
    w.ack({ ok: true, data: {} });
  }
});

const registry = new Registry();
observeEveryGc(registry);
const http = createServer((request, response) => {
  if (request.url !== '/metrics') return void response.writeHead(404).end();
  void registry
    .metrics()
    .then((text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text));
});
const io = new Server(http, { serveClient: false });
io.on('connection', (socket) => {
  socket.on('join', (payload: { room: string }, ack: (r: unknown) => void) => {
    void socket.join(payload.room);
    (socket.data as { room?: string }).room = payload.room;
    ack({ ok: true, data: {} });
  });
  socket.on('chat', (payload: { message: string }, ack: (r: unknown) => void) => {
    const room = (socket.data as { room?: string }).room;
    if (!room) return ack({ ok: false, error: { code: 'NOT_JOINED' } });
    const chat = {
      id: nextId++,
      room,
      sender: socket.id,
      message: payload.message,
      at: new Date().toISOString(),
    };
    waiting.set(chat.id, { chat, socket, ack });
    if (outbox.length === 0)
      process.nextTick(() => {
        writer.postMessage(outbox);
        outbox = [];
      });
    outbox.push(chat);
  });
});
const stop = () => {
  void writer.terminate().finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// Chats are taken only once the writer has its database open.
await new Promise((resolve) => writer.once('message', resolve));
http.listen(port, '127.0.0.1', () => {
  const address = http.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : port, database })}\n`,
  );
});
