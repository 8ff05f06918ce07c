import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { ConferError, ErrorCodes, isConferError } from '../domain/shared/errors';
import { LinkNotificationSchemas, type LinkAck, type LinkNotificationType } from '../protocol/node-link';
import type { LinkPeer, LinkServer, NodeLinks } from '../protocol/node-link.port';
import type { NodeTokens } from './node-tokens';

/** The namespace nodes connect to on each other (beside the meetings' namespaces). */
export const NODE_LINK_NAMESPACE = '/media-link';

const isNotification = (type: string): type is LinkNotificationType =>
  Object.prototype.hasOwnProperty.call(LinkNotificationSchemas, type);

const errorBody = (error: unknown) =>
  isConferError(error)
    ? { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) }
    : { code: 'CONFER_INTERNAL', message: ErrorCodes.CONFER_INTERNAL };

/**
 * Node links over socket.io: each node serves a namespace that other nodes connect to with a
 * node token, and keeps one client connection per node it pulls from (opened on first need,
 * reconnected by socket.io, dropped once it is down and the registry no longer lists that node
 * as live).
 * Requests are acknowledged messages with a time limit; notifications flow back on the same
 * connection, so they arrive in order with the answers.
 */
export function createNodeLinks(options: {
  io: Server;
  selfNodeId: string;
  tokens: NodeTokens;
  /** The URL of a live node (undefined: not live). */
  resolve(nodeId: string): Promise<string | undefined>;
  logger: Logger;
  requestTimeoutMs?: number;
}): NodeLinks & { close(): Promise<void> } {
  const { tokens, logger } = options;
  const timeoutMs = options.requestTimeoutMs ?? 5000;
  const notificationListeners: Array<(nodeId: string, type: LinkNotificationType, payload: unknown) => void> =
    [];
  const lostListeners: Array<(nodeId: string) => void> = [];
  const clients = new Map<string, { url: string; socket: ClientSocket }>();
  const servers: LinkServer[] = [];
  /** The server that claims a type, else the one claiming no types in particular. */
  const serverFor = (type: string) =>
    servers.find((s) => s.handles?.(type) === true) ?? servers.find((s) => s.handles === undefined);
  let closed = false;

  // ── Serving: nodes pulling from this one ───────────────────────────────────
  const namespace = options.io.of(NODE_LINK_NAMESPACE);
  namespace.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    tokens.verify(auth?.token).then(
      (nodeId) => {
        socket.data = { nodeId };
        next();
      },
      (error: unknown) => {
        const err = new Error(errorBody(error).message) as Error & { data: unknown };
        err.data = errorBody(error);
        next(err);
      },
    );
  });
  namespace.on('connection', (socket) => {
    const peer: LinkPeer = {
      id: socket.id,
      nodeId: (socket.data as { nodeId: string }).nodeId,
      notify: (type, payload) => void socket.emit(type, payload),
    };
    socket.onAny((type: string, payload: unknown, ack?: unknown) => {
      if (typeof ack !== 'function') return;
      const answer = ack as (response: LinkAck) => void;
      const server = serverFor(type);
      if (!server) {
        answer({ ok: false, error: errorBody(new ConferError('CONFER_MEDIA_UNAVAILABLE')) });
        return;
      }
      server.request(peer, type, payload).then(
        (data) => answer({ ok: true, data }),
        (error: unknown) => {
          if (!isConferError(error))
            logger.error({ err: error, type, fromNode: peer.nodeId }, 'node link request failed');
          answer({ ok: false, error: errorBody(error) });
        },
      );
    });
    socket.on('disconnect', () => {
      for (const server of servers) server.peerGone(peer);
    });
  });

  // ── Pulling: this node's connections to others ─────────────────────────────
  function drop(nodeId: string): void {
    const client = clients.get(nodeId);
    if (!client) return;
    clients.delete(nodeId);
    client.socket.disconnect();
  }

  async function clientFor(nodeId: string): Promise<ClientSocket> {
    if (closed) throw new ConferError('CONFER_MEDIA_UNAVAILABLE', 'This node is stopping');
    // A link that is up is the best evidence that its node lives. The registry's heartbeat can
    // lag behind it (a busy database or event loop for a few seconds): asking the registry first
    // dropped working links, and every pipe on them, whenever a pull came during such a lag.
    const up = clients.get(nodeId);
    if (up?.socket.connected) return up.socket;
    const url = await options.resolve(nodeId);
    if (!url) {
      drop(nodeId);
      throw new ConferError('CONFER_MEDIA_NODE_UNREACHABLE', `Node ${nodeId} is not live`);
    }
    const existing = clients.get(nodeId);
    if (existing && existing.url === url) {
      // Refused or sent away by the other node (it restarted its sockets): socket.io leaves such
      // a connection idle; the node is live, so try again.
      if (!existing.socket.active) existing.socket.connect();
      return existing.socket;
    }
    drop(nodeId);
    const socket = connect(`${url}${NODE_LINK_NAMESPACE}`, {
      transports: ['websocket'],
      // A fresh token on every (re)connection: they are short-lived.
      auth: (callback) => {
        void tokens.issue(options.selfNodeId).then((token) => callback({ token }));
      },
      reconnectionDelay: 250,
      reconnectionDelayMax: 5000,
    });
    socket.on('disconnect', (reason) => {
      logger.info({ nodeId, reason }, 'node link lost');
      for (const listener of lostListeners) listener(nodeId);
      // socket.io reconnects by itself after a network loss, not when the server closed the link.
      if (reason === 'io server disconnect' && clients.get(nodeId)?.socket === socket) socket.connect();
    });
    socket.on('connect_error', (error) => {
      logger.warn({ nodeId, url, err: error }, 'could not connect a node link');
    });
    socket.onAny((type: string, payload: unknown) => {
      if (!isNotification(type)) return;
      for (const listener of notificationListeners) listener(nodeId, type, payload);
    });
    clients.set(nodeId, { url, socket });
    return socket;
  }

  return {
    async request(nodeId, type, payload) {
      const socket = await clientFor(nodeId);
      try {
        return (await socket.timeout(timeoutMs).emitWithAck(type, payload)) as LinkAck;
      } catch {
        throw new ConferError(
          'CONFER_MEDIA_NODE_UNREACHABLE',
          `Node ${nodeId} did not answer ${type} in time`,
        );
      }
    },
    onNotification(listener) {
      notificationListeners.push(listener);
    },
    onLinkLost(listener) {
      lostListeners.push(listener);
    },
    serve(handler) {
      servers.push(handler);
    },
    async close() {
      closed = true;
      for (const nodeId of [...clients.keys()]) drop(nodeId);
      namespace.disconnectSockets(true);
    },
  };
}
