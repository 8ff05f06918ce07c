import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ConferError } from '../../domain/shared/errors';
import type { ErrorBody } from '../../protocol/ack';
import { MEETING_ID_SOURCE } from '../../protocol/ids';
import type { ServerMessage, ServerMessageType } from '../../protocol/signaling';
import { WebSocketRequestIdSchema, type WebSocketAck } from '../../protocol/websocket';
import { sendCoalesced, type CorkableWebSocket } from './coalesced-writes';
import type { Batch, Connection } from './connection';
import { answerUnacknowledged, dispatch } from './dispatch';
import { errorBody, type GatewayContext } from './gateway-context';
import { authenticate } from './handshake';
import type { ConnectionEvents } from './socket-io-framing';

const PATH = new RegExp(`^/meetings/(${MEETING_ID_SOURCE})/?$`);
/** The largest frame a client may send (the socket.io endpoint's maxHttpBufferSize). */
export const MAX_FRAME_BYTES = 256 * 1024;
const PING_INTERVAL_MS = 10_000;
/** Close codes: 1008 policy violation (refused), 1013 try again later (rate limited). */
const CLOSE_REFUSED = 1008;

let nextId = 0;

/**
 * The plain WebSocket framing, for clients without socket.io (mobile, desktop, scripts): at
 * `ws(s)://<host>/meetings/{meetingId}?token=<token>`, JSON text frames `{type, …}` carrying the
 * same messages; a request with an `id` is answered `{type: "ack", id, ok, data | error}`, a
 * failed request without one gets an `error` message. Only the framing is its own.
 */
export function attachWebSocket(server: HttpServer, ctx: GatewayContext, events: ConnectionEvents) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const sockets = new WeakMap<Connection, WebSocket>();
  /** A broadcast is one JSON text, sent to every plain connection it is for. */
  const batch: Batch = {
    sendMany(connections, message) {
      const text = JSON.stringify(message);
      for (const c of connections) {
        const ws = sockets.get(c);
        if (ws && ws.readyState === ws.OPEN) sendCoalesced(ws as unknown as CorkableWebSocket, text);
      }
    },
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const meetingId = PATH.exec(url.pathname)?.[1];
    if (!meetingId) return; // socket.io's engine answers its own path
    const address = request.socket.remoteAddress ?? 'unknown';
    ctx.limits.connect(address).then(
      () =>
        wss.handleUpgrade(request, socket, head, (ws) =>
          open(ws, meetingId, url.searchParams.get('token'), address),
        ),
      () => {
        socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      },
    );
  };
  server.on('upgrade', onUpgrade);

  function sendFrame(ws: WebSocket, frame: object): void {
    if (ws.readyState === ws.OPEN) sendCoalesced(ws as unknown as CorkableWebSocket, JSON.stringify(frame));
  }

  function refuse(ws: WebSocket, error: unknown): void {
    const body: ErrorBody = errorBody(error);
    sendFrame(ws, { type: 'error', ...body });
    ws.close(CLOSE_REFUSED, body.code);
  }

  function open(ws: WebSocket, meetingId: string, token: string | null, address: string): void {
    // Frames that arrive while the token is checked wait for it.
    const early: RawData[] = [];
    let onFrame: (data: RawData, isBinary: boolean) => void = (data) => void early.push(data);
    ws.on('message', (data, isBinary) => onFrame(data, isBinary));
    let alive = true;
    ws.on('pong', () => (alive = true));
    const ping = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, PING_INTERVAL_MS);
    ping.unref();

    authenticate(ctx, meetingId, token ?? undefined, address).then(
      (identity) => {
        if (ws.readyState !== ws.OPEN) return clearInterval(ping);
        const connection: Connection = {
          batch,
          id: `ws-${++nextId}`,
          identity,
          rooms: new Set(),
          evicted: false,
          send<K extends ServerMessageType>(message: ServerMessage<K>) {
            sendFrame(ws, message);
          },
          close: () => ws.close(1000),
        };
        sockets.set(connection, ws);
        ws.on('close', () => {
          clearInterval(ping);
          events.closed(connection);
        });
        events.opened(connection);
        onFrame = (data, isBinary) => void answer(connection, ws, data, isBinary);
        for (const data of early.splice(0)) void answer(connection, ws, data, false);
      },
      (error: unknown) => {
        clearInterval(ping);
        refuse(ws, error);
      },
    );
  }

  async function answer(
    connection: Connection,
    ws: WebSocket,
    data: RawData,
    isBinary: boolean,
  ): Promise<void> {
    let frame: unknown;
    try {
      if (isBinary) throw new Error('binary');
      frame = JSON.parse(data.toString());
    } catch {
      const error = new ConferError(
        'CONFER_VALIDATION_FAILED',
        'A frame must be a JSON text object {type, …}',
        'payload',
      );
      return sendFrame(ws, { type: 'error', ...errorBody(error) });
    }
    if (
      typeof frame !== 'object' ||
      frame === null ||
      Array.isArray(frame) ||
      typeof (frame as { type?: unknown }).type !== 'string'
    ) {
      const error = new ConferError(
        'CONFER_VALIDATION_FAILED',
        'type: a frame must be an object with a string type',
        'type',
      );
      return sendFrame(ws, { type: 'error', ...errorBody(error) });
    }
    const { id: rawId, ...message } = frame as { type: string; id?: unknown };
    const id = WebSocketRequestIdSchema.safeParse(rawId);
    if (rawId !== undefined && !id.success) {
      const error = new ConferError(
        'CONFER_VALIDATION_FAILED',
        'id: a string of at most 64 characters or an integer',
        'id',
      );
      return sendFrame(ws, { type: 'error', ...errorBody(error) });
    }
    const response = await dispatch(ctx, connection, message.type, message);
    if (rawId !== undefined && id.success) {
      const ack: WebSocketAck = { type: 'ack', id: id.data, ...response };
      sendFrame(ws, ack);
    } else answerUnacknowledged(connection, message.type, response);
  }

  return {
    close(): void {
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
