import { createServer } from 'node:http';
import { Registry } from 'prom-client';
import { Server } from 'socket.io';
import { observeEveryGc } from '../app/gc-metrics';

/**
 * Baseline: a bare socket.io relay that only forwards `chat` to the sender's room, with nothing of
 * Confer on the path (no validation, no store, no bus). Run as a child process by the benchmark.
 */
const port = Number(process.argv[2] ?? 0);
// Its garbage collection, counted as Confer's /metrics counts it, for the bench to set side by side
// (off the chat path: an observer V8 calls after its collections).
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
    if (room)
      socket
        .to(room)
        .emit('chat', { message: payload.message, from: socket.id, timestamp: new Date().toISOString() });
    ack({ ok: true, data: {} });
  });
});
http.listen(port, '127.0.0.1', () => {
  const address = http.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : port })}\n`,
  );
});
