import { createServer } from 'node:http';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { Server, type Socket } from 'socket.io';
import { observeEveryGc } from '../app/gc-metrics';

/** What a relay does with a chat from a socket that joined `room`. */
export type RelayChat = (
  socket: Socket,
  room: string,
  message: string,
  ack: (reply: unknown) => void,
) => void;

/**
 * What the chat bench's baselines (bare-relay-server.ts, durable-relay-server.ts) share: socket.io
 * on HTTP, `join` putting a socket in a room, `chat` handed to `onChat`, and `/metrics` with the
 * garbage collection counted as Confer's /metrics counts it (off the chat path: an observer V8
 * calls after its collections) and the heap beside it. Prints `{ port, ...announce }` once listening.
 */
export function serveRelay(port: number, onChat: RelayChat, announce: Record<string, unknown> = {}): void {
  const registry = new Registry();
  // The process's default metrics as Confer serves them (read at a scrape, off the chat path):
  // the bench compares the old generation's growth a chat.
  collectDefaultMetrics({ register: registry });
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
      onChat(socket, room, payload.message, ack);
    });
  });
  http.listen(port, '127.0.0.1', () => {
    const address = http.address();
    const listening = typeof address === 'object' && address ? address.port : port;
    process.stdout.write(`${JSON.stringify({ port: listening, ...announce })}\n`);
  });
}
