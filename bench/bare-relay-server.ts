import { serveRelay } from './relay-server';

/**
 * Baseline: a bare socket.io relay that only forwards `chat` to the sender's room, with nothing of
 * Confer on the path (no validation, no store, no bus). Run as a child process by the benchmark.
 */
serveRelay(Number(process.argv[2] ?? 0), (socket, room, message, ack) => {
  socket.to(room).emit('chat', { message, from: socket.id, timestamp: new Date().toISOString() });
  ack({ ok: true, data: {} });
});
