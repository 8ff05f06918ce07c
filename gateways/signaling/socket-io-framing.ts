import type { ErrorBody } from '../../protocol/ack';
import { HandshakeAuthSchema, type ServerMessage, type ServerMessageType } from '../../protocol/signaling';
import { coalesceWrites, type EngineTransport } from './coalesced-writes';
import type { Batch, Connection } from './connection';
import { answerUnacknowledged, dispatch } from './dispatch';
import { errorBody, type GatewayContext } from './gateway-context';
import { authenticate } from './handshake';
import { MEETING_NAMESPACE, type SignalingServer, type SignalingSocket } from './socket-types';

export interface ConnectionEvents {
  opened(connection: Connection): void;
  closed(connection: Connection): void;
}

/**
 * socket.io's framing: one namespace per meeting (`/meetings/<id>`, the design's URL), the token in
 * `auth`, each message an event of its type answered through socket.io's acknowledgement.
 * Everything else is the transport-neutral gateway's.
 */
export function attachSocketIo(io: SignalingServer, ctx: GatewayContext, events: ConnectionEvents): void {
  const parent = io.of(MEETING_NAMESPACE);

  parent.use((socket, next) => {
    void (async () => {
      const meetingId = MEETING_NAMESPACE.exec(socket.nsp.name)?.[1] ?? '';
      const address = socket.handshake.address;
      await ctx.limits.connect(address);
      const auth = HandshakeAuthSchema.safeParse(socket.handshake.auth);
      socket.data.identity = await authenticate(ctx, meetingId, auth.data?.token, address);
    })().then(
      () => next(),
      (error: unknown) => {
        const body = errorBody(error);
        const err = new Error(body.message) as Error & { data: ErrorBody };
        err.data = body;
        next(err);
      },
    );
  });

  // One batch per meeting namespace: a broadcast goes out as one socket.io emit to the sockets'
  // own rooms (each socket is in the room named by its id), encoded once.
  const batches = new WeakMap<object, Batch>();
  const batchOf = (socket: SignalingSocket): Batch => {
    let batch = batches.get(socket.nsp);
    if (!batch) {
      const nsp = socket.nsp as unknown as {
        to(rooms: string[]): { emit(event: string, payload: unknown): void };
      };
      batch = {
        sendMany: (connections, message) => nsp.to(connections.map((c) => c.id)).emit(message.type, message),
      };
      batches.set(socket.nsp, batch);
    }
    return batch;
  };

  parent.on('connection', (socket: SignalingSocket) => {
    const identity = socket.data.identity;
    const engine = socket.conn as unknown as {
      transport: EngineTransport;
      on(event: 'upgrade', listener: (transport: EngineTransport) => void): void;
    };
    coalesceWrites(engine.transport);
    engine.on('upgrade', coalesceWrites);
    const connection: Connection = {
      batch: batchOf(socket),
      id: socket.id,
      identity,
      rooms: new Set(),
      evicted: false,
      send<K extends ServerMessageType>(message: ServerMessage<K>) {
        // The typed overloads cannot follow a generic event name; ServerMessage<K> is its payload.
        (socket as unknown as { emit(event: string, payload: unknown): void }).emit(message.type, message);
      },
      close: () => void socket.disconnect(true),
    };
    events.opened(connection);

    // One catch-all listener answers every message type, known or not: a listener per type would
    // cost each socket ~40 closures, their contexts and a dictionary of listeners (~5 KB), all of
    // it promoted to the old generation at every join and left there as garbage at every leave.
    // socket.io calls it before its own `connected` check: a message read in the turn the socket
    // was closed (a participant removed, a token expired) is dropped, as its listeners would drop it.
    socket.onAny((event: string, ...args: unknown[]) => {
      if (socket.connected) void answer(event, args);
    });
    socket.on('disconnect', (reason) => {
      // socket.io's reason ("ping timeout", "transport close", ...) tells a dead network from a closed tab.
      const { meetingId, participantId } = identity;
      ctx.logger.info({ meetingId, participantId, reason }, 'signaling connection closed');
      events.closed(connection);
    });

    async function answer(type: string, args: unknown[]): Promise<void> {
      // socket.io passes (payload, ack), (ack) or (payload): find the acknowledgement wherever it is.
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as (r: unknown) => void) : undefined;
      const payload = ack && args.length === 1 ? {} : args[0];
      const response = await dispatch(ctx, connection, type, payload);
      if (ack) ack(response);
      else answerUnacknowledged(connection, type, response);
    }
  });
}
