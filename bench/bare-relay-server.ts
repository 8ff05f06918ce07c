import { serveRelay, type RelayChat } from './relay-server';

/**
 * Baseline: a bare socket.io relay that only forwards `chat` to the sender's room, with nothing of
 * Confer on the path (no validation, no store, no bus). Run as a child process by the benchmark.
 *
 * `bare-relay-server.ts <port> [late-echo|late-twice]`: the second argument makes a misbehaving
 * relay for the tester's own tests (bench/chat-load.int.test.ts), never for the bench: each chat
 * also goes back to its sender 20 ms later (as Confer echoes one), or to the others a second time.
 */
const forward: RelayChat = (socket, room, message, ack) => {
  socket.to(room).emit('chat', { message, from: socket.id, timestamp: new Date().toISOString() });
  ack({ ok: true, data: {} });
};

const LATE_MS = 20;
const modes: Record<string, RelayChat> = {
  plain: forward,
  'late-echo': (socket, room, message, ack) => {
    forward(socket, room, message, ack);
    setTimeout(() => socket.emit('chat', { message, from: socket.id }), LATE_MS);
  },
  'late-twice': (socket, room, message, ack) => {
    forward(socket, room, message, ack);
    setTimeout(() => socket.to(room).emit('chat', { message, from: socket.id }), LATE_MS);
  },
};
const mode = process.argv[3] ?? 'plain';
const onChat = modes[mode];
if (!onChat) {
  process.stderr.write(`bare-relay-server: mode: expected one of ${Object.keys(modes).join(', ')}\n`);
  process.exit(2);
}
serveRelay(Number(process.argv[2] ?? 0), onChat);
