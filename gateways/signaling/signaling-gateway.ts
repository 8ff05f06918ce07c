import type { Server as HttpServer } from 'node:http';
import type { BusSubscription } from '../../domain/ports/event-bus';
import { createBroadcaster } from './broadcaster';
import { ConnectionHub, type Connection } from './connection';
import { expire } from './dispatch';
import type { SignalingGatewayDeps } from './gateway-context';
import { placeInRooms } from './join';
import { createRateLimits } from './rate-limits';
import { createReconnectGrace } from './reconnect-grace';
import { attachSocketIo } from './socket-io-framing';
import type { SignalingServer } from './socket-types';
import { Rooms } from './event-messages';
import { attachWebSocket } from './websocket-framing';

export type { SignalingGatewayDeps } from './gateway-context';

export interface SignalingGateway {
  start(): Promise<void>;
  close(): Promise<void>;
  /** Connections to this node, both framings. */
  connectionCount(): number;
}

/** setTimeout's longest delay: a token that lives longer is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The signaling gateway: transport-neutral parts (handshake, dispatch, join and replay, reconnect
 * grace, broadcaster, peer relay) under two thin framings, socket.io (the web client) and a plain
 * WebSocket on the same HTTP server (`/meetings/{id}?token=`), which carry the same messages.
 */
export function createSignalingGateway(
  deps: SignalingGatewayDeps & { io: SignalingServer; httpServer?: HttpServer },
): SignalingGateway {
  const ctx = {
    ...deps,
    hub: new ConnectionHub(),
    limits: createRateLimits(deps.rate),
    now: deps.now ?? Date.now,
  };
  const broadcaster = createBroadcaster(ctx);
  const grace = createReconnectGrace(ctx);
  const expiries = new Map<Connection, NodeJS.Timeout>();
  let subscription: BusSubscription | undefined;

  /** Ends the connection when its token expires, even if it sends nothing. */
  function armExpiry(connection: Connection): void {
    const left = connection.identity.exp * 1000 - ctx.now();
    const timer = setTimeout(
      () => (left > MAX_TIMER_MS ? armExpiry(connection) : expire(connection)),
      Math.max(0, Math.min(left, MAX_TIMER_MS)),
    );
    timer.unref();
    expiries.set(connection, timer);
  }

  const events = {
    opened(connection: Connection): void {
      const { meetingId } = connection.identity;
      connection.rooms.add(Rooms.participant(connection.identity.participantId));
      ctx.hub.add(connection);
      grace.connected(connection);
      placeInRooms(connection, ctx.commands.peek(meetingId)?.state);
      armExpiry(connection);
    },
    closed(connection: Connection): void {
      clearTimeout(expiries.get(connection));
      expiries.delete(connection);
      if (ctx.hub.remove(connection)) broadcaster.forget(connection.identity.meetingId);
      void grace.disconnected(connection);
    },
  };

  attachSocketIo(deps.io, ctx, events);
  const plain = deps.httpServer ? attachWebSocket(deps.httpServer, ctx, events) : undefined;

  return {
    async start() {
      subscription = await deps.bus.subscribe({
        group: `signaling-${deps.nodeId}`,
        handler: (batch) => broadcaster.onEvents(batch),
      });
    },
    async close() {
      grace.close();
      for (const timer of expiries.values()) clearTimeout(timer);
      expiries.clear();
      plain?.close();
      await subscription?.close();
    },
    connectionCount: () => ctx.hub.count(),
  };
}
