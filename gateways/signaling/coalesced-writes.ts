/** The part of an engine.io transport this touches (engine.io 6, over ws 8). */
export interface EngineTransport {
  readonly name: string;
  send(packets: unknown[]): void;
  /** The websocket transport's ws WebSocket, and its TCP socket. */
  readonly socket?: { readonly _socket?: { cork(): void; uncork(): void } };
}

const coalesced = new WeakSet<EngineTransport>();

/**
 * engine.io writes each packet as its own WebSocket frame, and ws hands each frame to the kernel
 * at once: one `writev` system call, and one segment for the receiver to read, per message. While
 * a write is in flight engine.io queues what follows and then hands the queued packets over
 * together (`transport.send(packets)`); corking the TCP socket around that hand-over makes them
 * one write. A burst to one socket (a meeting's chats written in one append, a hundred raised
 * hands) then costs two writes instead of one per message. Transports other than a WebSocket over
 * TCP are left as they are.
 */
export function coalesceWrites(transport: EngineTransport): void {
  // One engine.io connection can carry several namespaces' sockets: wrap its transport once.
  if (coalesced.has(transport)) return;
  coalesced.add(transport);
  const tcp = transport.name === 'websocket' ? transport.socket?._socket : undefined;
  if (!tcp || typeof tcp.cork !== 'function' || typeof tcp.uncork !== 'function') return;
  const send = transport.send.bind(transport);
  transport.send = (packets) => {
    if (packets.length < 2) return send(packets);
    tcp.cork();
    try {
      send(packets);
    } finally {
      tcp.uncork();
    }
  };
}

/** What of a ws WebSocket this touches: its TCP socket. */
export interface CorkableWebSocket {
  send(data: string): void;
  readonly _socket?: { cork(): void; uncork(): void };
}

const corked = new WeakSet<object>();

/**
 * Sends a text frame, gathering the frames sent to the same WebSocket in this tick into one TCP
 * write: the socket is corked at the first and uncorked once the current tick's work is done
 * (`process.nextTick`), so a broadcaster looping over a batch of events writes each socket once.
 */
export function sendCoalesced(ws: CorkableWebSocket, data: string): void {
  const tcp = ws._socket;
  if (tcp && typeof tcp.cork === 'function' && !corked.has(tcp)) {
    corked.add(tcp);
    tcp.cork();
    process.nextTick(() => {
      corked.delete(tcp);
      tcp.uncork();
    });
  }
  ws.send(data);
}
