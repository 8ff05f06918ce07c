import type { Logger } from 'pino';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { MeetingCommand } from '../../domain/meeting/meeting.commands';
import type { MeetingCommandHandler } from '../../domain/meeting/meeting.handler';
import type { MeetingState } from '../../domain/meeting/meeting.state';
import type { EventBus, BusSubscription } from '../../domain/ports/event-bus';
import type { EventStore } from '../../domain/ports/event-store';
import type { Ids } from '../../domain/ports/ids';
import { meetingStreamId, type StoredEvent } from '../../domain/shared/envelope';
import { ConferError, ErrorCodes, isConferError } from '../../domain/shared/errors';
import type { TokenService } from '../auth/tokens';
import { Rooms, participantViewFromState, translateEvent, type Translation } from './event-messages';
import type { MediaSignaling } from '../../protocol/media-signaling.port';
import { commandFor, isMeetingMessage } from './meeting-messages';
import {
  ClientMessageSchemas,
  HandshakeAuthSchema,
  type Ack,
  type ClientMessageType,
  type ErrorBody,
  type JoinResult,
} from '../../protocol/signaling';
import {
  MEETING_NAMESPACE,
  type SignalingNamespace,
  type SignalingServer,
  type SignalingSocket,
} from './socket-types';
import { validationError } from '../../protocol/validation-error';

export interface SignalingGatewayDeps {
  io: SignalingServer;
  commands: MeetingCommandHandler;
  tokens: TokenService;
  store: EventStore;
  bus: EventBus;
  ids: Ids;
  logger: Logger;
  nodeId: string;
  rate: { perSecond: number; burst: number };
  reconnectGraceMs: number;
  media?: MediaSignaling;
  metrics?: { messages(type: string, outcome: 'ok' | 'error'): void; broadcasts(count: number): void };
}

export interface SignalingGateway {
  start(): Promise<void>;
  close(): Promise<void>;
  /** Sockets connected to this node. */
  connectionCount(): number;
}

const errorBody = (error: unknown): ErrorBody => {
  if (isConferError(error))
    return { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) };
  return { code: 'CONFER_INTERNAL', message: ErrorCodes.CONFER_INTERNAL };
};

/**
 * The socket.io gateway: one namespace per meeting (`/meetings/<id>`, the seed's URL), the token
 * checked at connection, every message validated and turned into a command, and every broadcast
 * made from a committed event received on the bus, so any node fed by the bus sends the same.
 */
export function createSignalingGateway(deps: SignalingGatewayDeps): SignalingGateway {
  const { io, commands, logger } = deps;
  const namespaces = new Map<string, SignalingNamespace>();
  /** Per meeting with sockets here: the last stream revision broadcast. */
  const broadcastUpTo = new Map<string, number>();
  const graceTimers = new Map<string, NodeJS.Timeout>();
  const limiter = new RateLimiterMemory({
    points: deps.rate.burst,
    duration: Math.max(1, Math.ceil(deps.rate.burst / deps.rate.perSecond)),
  });
  // Negotiating media for a large meeting sends a burst of consume requests: a wider budget.
  const mediaLimiter = new RateLimiterMemory({ points: 2000, duration: 10 });
  let subscription: BusSubscription | undefined;
  let closing = false;

  const parent = io.of(MEETING_NAMESPACE);

  parent.use((socket, next) => {
    void authenticate(socket).then(
      () => next(),
      (error: unknown) => {
        const err = new Error(errorBody(error).message) as Error & { data: ErrorBody };
        err.data = errorBody(error);
        next(err);
      },
    );
  });

  async function authenticate(socket: SignalingSocket): Promise<void> {
    const meetingId = MEETING_NAMESPACE.exec(socket.nsp.name)?.[1];
    if (!meetingId) throw new ConferError('CONFER_MEETING_NOT_FOUND');
    const auth = HandshakeAuthSchema.safeParse(socket.handshake.auth);
    if (!auth.success)
      throw new ConferError('CONFER_AUTH_MISSING', 'Connect with auth: { token }', 'auth.token');
    const claims = await deps.tokens.verify(auth.data.token, meetingId);
    if (claims.role !== 'participant') {
      throw new ConferError(
        'CONFER_FORBIDDEN',
        'Join the meeting first (POST /meetings/{id}/join) and connect with its token',
        'auth.token',
      );
    }
    let { state } = await commands.load(meetingId);
    const admitted = (s: MeetingState) =>
      s.status === 'active' && ['joined', 'waiting'].includes(s.participants[claims.pid]?.status ?? 'none');
    if (!admitted(state)) {
      // The cached state may predate a join made through another node: refuse only on fresh state.
      commands.invalidate(meetingId);
      ({ state } = await commands.load(meetingId));
    }
    if (state.status === 'none') throw new ConferError('CONFER_MEETING_NOT_FOUND');
    if (state.status === 'ended') throw new ConferError('CONFER_MEETING_ENDED');
    const self = state.participants[claims.pid];
    if (!self || (self.status !== 'joined' && self.status !== 'waiting')) {
      throw new ConferError(
        'CONFER_PARTICIPANT_NOT_JOINED',
        'This participant has left the meeting; join again',
        'auth.token',
      );
    }
    socket.data = { meetingId, participantId: claims.pid, isHost: claims.host, evicted: false };
  }

  parent.on('connection', (socket) => {
    const { meetingId, participantId } = socket.data;
    namespaces.set(meetingId, socket.nsp);
    void socket.join(Rooms.participant(participantId));
    cancelGrace(meetingId, participantId);
    const state = commands.peek(meetingId)?.state;
    placeInRooms(socket, state);

    socket.onAny((event: string, ...args: unknown[]) => {
      if (Object.prototype.hasOwnProperty.call(ClientMessageSchemas, event)) return;
      const ack = args.find((a): a is (r: Ack) => void => typeof a === 'function');
      const error: ErrorBody = {
        code: 'CONFER_UNKNOWN_MESSAGE',
        message: `Unknown message type "${event}"`,
        field: 'type',
      };
      deps.metrics?.messages('unknown', 'error');
      if (ack) ack({ ok: false, error });
      else socket.emit('error', error);
    });

    for (const type of Object.keys(ClientMessageSchemas) as ClientMessageType[]) {
      socket.on(type, (...args: unknown[]) => {
        void dispatch(socket, type, args);
      });
    }

    socket.on('disconnect', () => {
      void onDisconnect(socket);
    });
  });

  function placeInRooms(socket: SignalingSocket, state: MeetingState | undefined): void {
    const self = state?.participants[socket.data.participantId];
    if (self?.status === 'joined') {
      void socket.join(Rooms.joined);
      if (self.role === 'host' || socket.data.isHost) void socket.join(Rooms.hosts);
    }
  }

  async function dispatch(socket: SignalingSocket, type: ClientMessageType, args: unknown[]): Promise<void> {
    // socket.io passes (payload, ack), (ack) or (payload): find the acknowledgement wherever it is.
    const ack =
      typeof args[args.length - 1] === 'function' ? (args[args.length - 1] as (r: Ack) => void) : undefined;
    const payload = ack && args.length === 1 ? {} : args[0];
    const reply = (response: Ack) => {
      deps.metrics?.messages(type, response.ok ? 'ok' : 'error');
      if (ack) ack(response);
      else if (!response.ok) socket.emit('error', response.error);
    };
    try {
      await (type.startsWith('media:') ? mediaLimiter : limiter).consume(socket.id).catch(() => {
        throw new ConferError('CONFER_RATE_LIMITED', `Too many messages: at most ${deps.rate.perSecond}/s`);
      });
      const parsed = ClientMessageSchemas[type].safeParse(payload ?? {});
      if (!parsed.success) throw validationError(parsed.error);
      const data = await handle(socket, type, parsed.data);
      reply({ ok: true, data });
    } catch (error) {
      if (!isConferError(error))
        logger.error({ err: error, type, meetingId: socket.data.meetingId }, 'socket message failed');
      reply({ ok: false, error: errorBody(error) });
    }
  }

  async function runCommand(socket: SignalingSocket, command: MeetingCommand) {
    const { meetingId, participantId, isHost } = socket.data;
    return commands.handle(meetingId, command, {
      actor: { type: 'participant', participantId, isHost },
      correlationId: deps.ids.eventId(),
    });
  }

  async function handle(
    socket: SignalingSocket,
    type: ClientMessageType,
    payload: unknown,
  ): Promise<unknown> {
    const { meetingId, participantId } = socket.data;
    if (type === 'join') return join(socket, payload as { lastSeq?: number });
    if (isMeetingMessage(type)) {
      const result = await runCommand(socket, commandFor(type, payload as never, participantId, deps.ids));
      return { seq: result.revision };
    }
    if (!deps.media?.available) throw new ConferError('CONFER_MEDIA_UNAVAILABLE');
    const { state } = await commands.load(meetingId);
    if (state.participants[participantId]?.status !== 'joined')
      throw new ConferError('CONFER_PARTICIPANT_NOT_JOINED');
    return deps.media.handle(type as never, payload as never, {
      meetingId,
      participantId,
      channel: {
        emit: (event, data) => {
          // The typed overloads cannot follow a generic event name; payload types are checked at the port.
          (socket.nsp.to(Rooms.participant(participantId)) as { emit(e: string, d: unknown): boolean }).emit(
            event,
            data,
          );
        },
      },
    });
  }

  async function join(socket: SignalingSocket, payload: { lastSeq?: number }): Promise<JoinResult> {
    const { meetingId, participantId } = socket.data;
    const result = await runCommand(socket, {
      type: 'SetConnectionStatus',
      participantId,
      connectionStatus: 'connected',
      nodeId: deps.nodeId,
    });
    const { state, revision } = result;
    placeInRooms(socket, state);
    const self = participantViewFromState(state, participantId);
    if (!self) throw new ConferError('CONFER_PARTICIPANT_NOT_FOUND');
    const isHost = self.role === 'host' || socket.data.isHost;
    const views = Object.keys(state.participants)
      .map((id) => participantViewFromState(state, id))
      .filter((p): p is NonNullable<typeof p> => p !== undefined);
    const replayed =
      payload.lastSeq !== undefined && payload.lastSeq < revision
        ? await replay(socket, payload.lastSeq, revision)
        : 0;
    return {
      self,
      meeting: {
        meetingId,
        title: state.title,
        status: state.status === 'ended' ? 'ended' : 'active',
        waitingRoom: state.settings.waitingRoom,
      },
      participants: views.filter((p) => p.status === 'joined'),
      waiting: isHost ? views.filter((p) => p.status === 'waiting') : [],
      activeSpeakerId: state.activeSpeakerId,
      seq: revision,
      replayed,
      media: deps.media?.available ?? false,
    };
  }

  /** Sends this socket what it missed in (lastSeq, upTo], as it would have received it live. */
  async function replay(socket: SignalingSocket, lastSeq: number, upTo: number): Promise<number> {
    const missed = await deps.store.readStream(meetingStreamId(socket.data.meetingId), {
      fromRevision: lastSeq + 1,
      maxCount: upTo - lastSeq,
    });
    const state = commands.peek(socket.data.meetingId)?.state;
    let sent = 0;
    for (const event of missed) {
      for (const message of translateEvent(event, state).messages) {
        if (!message.to.some((room) => socket.rooms.has(room))) continue;
        socket.emit(message.event, message.payload as never);
        sent++;
      }
    }
    return sent;
  }

  async function onDisconnect(socket: SignalingSocket): Promise<void> {
    // This node is stopping (it has left the registry): the presence sweeper records its
    // participants as disconnected; the store may already be closed under this handler.
    if (closing) return;
    const { meetingId, participantId, evicted } = socket.data;
    const nsp = socket.nsp;
    if (nsp.sockets.size === 0) {
      namespaces.delete(meetingId);
      broadcastUpTo.delete(meetingId);
    }
    if (evicted || !participantId) return;
    const others = await nsp.in(Rooms.participant(participantId)).fetchSockets();
    if (others.length > 0) return;
    try {
      await deps.media?.participantDisconnected(meetingId, participantId);
      const { state } = await commands.load(meetingId);
      const self = state.participants[participantId];
      if (state.status !== 'active' || !self || (self.status !== 'joined' && self.status !== 'waiting'))
        return;
      await commands.handle(
        meetingId,
        { type: 'SetConnectionStatus', participantId, connectionStatus: 'reconnecting', nodeId: deps.nodeId },
        { actor: { type: 'system', reason: 'socket-disconnected' } },
      );
      startGrace(meetingId, participantId);
    } catch (error) {
      logger.warn({ err: error, meetingId, participantId }, 'could not record a disconnection');
    }
  }

  const graceKey = (meetingId: string, participantId: string) => `${meetingId}/${participantId}`;

  function startGrace(meetingId: string, participantId: string): void {
    cancelGrace(meetingId, participantId);
    const timer = setTimeout(() => {
      graceTimers.delete(graceKey(meetingId, participantId));
      void expireGrace(meetingId, participantId);
    }, deps.reconnectGraceMs);
    timer.unref();
    graceTimers.set(graceKey(meetingId, participantId), timer);
  }

  function cancelGrace(meetingId: string, participantId: string): void {
    const key = graceKey(meetingId, participantId);
    const timer = graceTimers.get(key);
    if (timer) clearTimeout(timer);
    graceTimers.delete(key);
  }

  /** Still gone after the grace period (and not back through another node): they left. */
  async function expireGrace(meetingId: string, participantId: string): Promise<void> {
    try {
      commands.invalidate(meetingId);
      const { state } = await commands.load(meetingId);
      const self = state.participants[participantId];
      if (self?.connectionStatus !== 'reconnecting') return;
      const actor = { type: 'system', reason: 'reconnect-grace-expired' } as const;
      // Decided on the stream, so that a reconnection through another node meanwhile wins.
      const command: MeetingCommand =
        self.connectedNode === null
          ? { type: 'LeaveMeeting', participantId, reason: 'disconnected' }
          : { type: 'SweepLostConnection', participantId, nodeId: deps.nodeId, leave: true };
      await commands.handle(meetingId, command, { actor });
    } catch (error) {
      logger.warn({ err: error, meetingId, participantId }, 'could not expire a disconnected participant');
    }
  }

  function apply(nsp: SignalingNamespace, translation: Translation): void {
    for (const change of translation.changes) {
      if (change.kind === 'admit') {
        nsp
          .in(Rooms.participant(change.participantId))
          .socketsJoin(change.isHost ? [Rooms.joined, Rooms.hosts] : [Rooms.joined]);
      }
    }
    for (const message of translation.messages)
      nsp.to(message.to).emit(message.event, message.payload as never);
    deps.metrics?.broadcasts(translation.messages.length);
    for (const change of translation.changes) {
      if (change.kind === 'evict') evict(nsp, Rooms.participant(change.participantId));
      if (change.kind === 'end') evict(nsp, undefined);
    }
  }

  function evict(nsp: SignalingNamespace, room: string | undefined): void {
    const target = room ? nsp.in(room) : nsp;
    void target.fetchSockets().then((sockets) => {
      for (const s of sockets) {
        s.data.evicted = true;
        s.leave(Rooms.joined);
        s.leave(Rooms.hosts);
      }
      // Let the last messages leave before closing the connections.
      setTimeout(() => target.disconnectSockets(), 50).unref();
    });
  }

  async function onEvents(events: StoredEvent[]): Promise<void> {
    commands.observe(events);
    for (const event of events) {
      const nsp = namespaces.get(event.meetingId);
      if (!nsp) continue;
      // The bus is at-least-once (a new forwarder replays from its checkpoint): send each once.
      if (event.streamRevision <= (broadcastUpTo.get(event.meetingId) ?? -1)) continue;
      broadcastUpTo.set(event.meetingId, event.streamRevision);
      const state =
        event.type === 'MediaStateChanged'
          ? (commands.peek(event.meetingId)?.state ?? (await commands.load(event.meetingId)).state)
          : undefined;
      apply(nsp, translateEvent(event, state));
    }
  }

  return {
    async start() {
      subscription = await deps.bus.subscribe({ group: `signaling-${deps.nodeId}`, handler: onEvents });
    },
    async close() {
      closing = true;
      for (const timer of graceTimers.values()) clearTimeout(timer);
      graceTimers.clear();
      await subscription?.close();
    },
    connectionCount() {
      let n = 0;
      for (const nsp of namespaces.values()) n += nsp.sockets.size;
      return n;
    },
  };
}
