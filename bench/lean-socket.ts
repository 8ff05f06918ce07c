import WebSocket from 'ws';

/**
 * The few calls of a socket.io client that the chat load makes (`on`, `emit` with an
 * acknowledgement, `disconnect`), spoken over a bare `ws` WebSocket: engine.io v4 and socket.io
 * v5 frames, as socket.io-client 4 writes and reads them over its websocket transport. The server
 * sees the same bytes; the tester spends less. A profile of a tester thread at 4,000 chats/s
 * (`node --cpu-prof`, docs/capacity.md, thirty-second session) put socket.io-client's layers (its
 * emitter, parser, manager, engine) at ~31 % of the thread's work and the collector at ~9 %, and
 * the tester shares this 2-core machine with the server it measures.
 *
 * Not a client for anything else: no reconnection, no binary events, no polling, no buffering
 * (a socket is handed out only once its namespace is joined), no acknowledgements the server asks
 * for. A connection the server drops is not reported as such: its chats go unacknowledged, and
 * the load's acknowledged rate falls short of the offered one, as with socket.io-client
 * (reconnection off).
 */
export interface ChatSocket {
  readonly id: string | undefined;
  on(event: string, listener: (payload: never) => void): this;
  emit(event: string, payload: unknown, ack?: (response: never) => void): this;
  disconnect(): this;
}

/** engine.io packet types (first character of each WebSocket message). */
const ENGINE = { open: '0', close: '1', ping: '2', pong: '3', message: '4', noop: '6' } as const;
/** socket.io packet types (first character of an engine.io message). */
const SOCKET = { connect: '0', disconnect: '1', event: '2', ack: '3', connectError: '4' } as const;

export class LeanSocket implements ChatSocket {
  private readonly listeners = new Map<string, ((payload: never) => void)[]>();
  private readonly acks = new Map<number, (response: never) => void>();
  private nextAckId = 0;
  private sid: string | undefined;
  /** `/meetings/<id>,` for a namespace of its own, empty for the main one. */
  private readonly prefix: string;

  private constructor(
    private readonly ws: WebSocket,
    namespace: string,
  ) {
    this.prefix = namespace === '/' ? '' : `${namespace},`;
  }

  get id(): string | undefined {
    return this.sid;
  }

  /**
   * Opens `url` (http(s)://host/namespace, as io() takes it) and joins its namespace with `auth`;
   * rejects with the server's connect error (its message, and `data` as socket.io-client gives it).
   */
  static connect(url: string, auth: Record<string, unknown>): Promise<LeanSocket> {
    const target = new URL(url);
    const namespace = target.pathname === '' ? '/' : target.pathname;
    const protocol = target.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${protocol}//${target.host}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
    });
    const socket = new LeanSocket(ws, namespace);
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        ws.terminate();
        reject(error);
      };
      ws.once('error', fail);
      ws.once('close', () => fail(new Error('connection closed before the namespace was joined')));
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const text = data.toString();
        if (socket.sid === undefined) {
          socket.whileConnecting(
            text,
            auth,
            () => {
              ws.removeAllListeners('close');
              ws.removeListener('error', fail);
              ws.on('error', () => undefined);
              resolve(socket);
            },
            fail,
          );
        } else {
          socket.receive(text);
        }
      });
    });
  }

  on(event: string, listener: (payload: never) => void): this {
    const list = this.listeners.get(event);
    if (list) list.push(listener);
    else this.listeners.set(event, [listener]);
    return this;
  }

  emit(event: string, payload: unknown, ack?: (response: never) => void): this {
    let id = '';
    if (ack) {
      const n = this.nextAckId++;
      this.acks.set(n, ack);
      id = String(n);
    }
    this.ws.send(`${ENGINE.message}${SOCKET.event}${this.prefix}${id}${JSON.stringify([event, payload])}`);
    return this;
  }

  disconnect(): this {
    if (this.ws.readyState === WebSocket.OPEN)
      this.ws.send(`${ENGINE.message}${SOCKET.disconnect}${this.prefix}`);
    this.ws.close();
    return this;
  }

  private whileConnecting(
    text: string,
    auth: Record<string, unknown>,
    connected: () => void,
    fail: (error: Error) => void,
  ): void {
    if (text.startsWith(ENGINE.open)) {
      this.ws.send(`${ENGINE.message}${SOCKET.connect}${this.prefix}${JSON.stringify(auth)}`);
      return;
    }
    if (text === ENGINE.ping) {
      this.ws.send(ENGINE.pong);
      return;
    }
    if (
      !text.startsWith(ENGINE.message + SOCKET.connect + this.prefix) &&
      !text.startsWith(ENGINE.message + SOCKET.connectError + this.prefix)
    ) {
      return;
    }
    const body = JSON.parse(text.slice(2 + this.prefix.length)) as {
      sid?: string;
      message?: string;
      data?: unknown;
    };
    if (text[1] === SOCKET.connect && typeof body.sid === 'string') {
      this.sid = body.sid;
      connected();
    } else {
      fail(Object.assign(new Error(body.message ?? 'connect refused'), { data: body.data }));
    }
  }

  private receive(text: string): void {
    const engineType = text[0];
    if (engineType === ENGINE.ping) {
      this.ws.send(ENGINE.pong);
      return;
    }
    if (engineType !== ENGINE.message) return;
    const socketType = text[1];
    if (socketType !== SOCKET.event && socketType !== SOCKET.ack) return;
    let at = 2;
    if (this.prefix !== '') {
      if (!text.startsWith(this.prefix, at)) return; // another namespace's packet: not ours
      at += this.prefix.length;
    }
    let idEnd = at;
    while (idEnd < text.length && text.charCodeAt(idEnd) >= 48 && text.charCodeAt(idEnd) <= 57) idEnd++;
    const args = JSON.parse(text.slice(idEnd)) as unknown[];
    if (socketType === SOCKET.ack) {
      const id = Number(text.slice(at, idEnd));
      const ack = this.acks.get(id);
      if (ack) {
        this.acks.delete(id);
        ack(args[0] as never);
      }
      return;
    }
    const listeners = this.listeners.get(args[0] as string);
    if (listeners) for (const listener of listeners) listener(args[1] as never);
  }
}
