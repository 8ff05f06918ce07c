import { io, type Socket } from 'socket.io-client';
import { RecentLog } from './recent-log';
import type {
  Ack,
  AnyServerMessage,
  ClientMessage,
  ClientMessageType,
  ErrorBody,
  JoinResult,
  ServerToClientEvents,
} from '../../../protocol/signaling';
import type { Answer } from './media-types';

/** A refused request: the server's coded error (or a timeout / lost connection). */
export class SignalingError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'SignalingError';
  }
}

type ServerEvent = keyof ServerToClientEvents;
/** Broadcasts that come from committed events: they carry `seq` and can be replayed. */
const SEQUENCED = [
  'participant-joined',
  'participant-left',
  'participant-waiting',
  'admitted',
  'denied',
  'chat',
  'media-update',
  'hand-raised',
  'hand-lowered',
  'connection-update',
  'active-speaker',
  'spotlight',
  'reaction',
  'meeting-ended',
  // The host's tools.
  'role-changed',
  'everyone-muted',
  'unmute-requested',
  'unmute-declined',
  'meeting-lock',
  'allowed-back',
  'recording-started',
  'recording-stopped',
] as const satisfies readonly ServerEvent[];
type SequencedEvent = (typeof SEQUENCED)[number];

export interface SignalingHandlers {
  /** A broadcast, in stream order, each at most once (duplicates and replays filtered by seq). */
  onMessage(message: AnyServerMessage): void;
  /** The (re)join answer: the meeting as it is now; replayed messages follow through onMessage. */
  onJoined(result: JoinResult, rejoin: boolean): void;
  onConnectionChange(state: 'online' | 'reconnecting'): void;
  /** The server refused the connection for good (removed, meeting ended, token expired...). */
  onRefused(error: ErrorBody): void;
}

const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Where the meeting's socket should go now (the REST API's `/connection`): after the node a
 * client was on dies, another node takes the meeting and answers with its own URL.
 */
export type LocateNode = () => Promise<string>;

/** Failed reconnection attempts before asking where to go: one blip is not a dead node. */
const ATTEMPTS_BEFORE_LOCATING = 2;
/** At most one question a few seconds: the cluster needs a heartbeat's lapse to move a meeting. */
const LOCATE_INTERVAL_MS = 3000;

/**
 * The socket.io connection to a meeting's namespace. Keeps the last `seq` seen, drops anything
 * not newer, and after a dropped connection reconnects with the same token and sends `join`
 * with that `lastSeq`, so the server replays what was missed. When reconnecting keeps failing
 * it asks where the meeting is served now and moves there (the node it was on may be gone).
 */
export class SignalingClient {
  private socket: Socket;
  private url: string;
  private lastSeq = -1;
  /** Broadcasts that arrive while a join is in flight wait for its snapshot. */
  private held: { event: SequencedEvent; payload: { seq: number } }[] | null = null;
  private joinedOnce = false;
  private closed = false;
  private failedAttempts = 0;
  /** The socket's drops and socket.io's reason for each, newest last (for debugging). */
  readonly disconnects = new RecentLog<{ reason: string }>();
  private lastLocatedAt = 0;
  private locating = false;

  constructor(
    url: string,
    private readonly token: string,
    private readonly handlers: SignalingHandlers,
    private readonly locate?: LocateNode,
  ) {
    this.url = url;
    this.socket = this.open(url);
  }

  private open(url: string): Socket {
    const socket = io(url, {
      auth: { token: this.token },
      // The meeting's node may be another origin: WebSocket needs no CORS preflight.
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      timeout: 10_000,
      forceNew: true,
    });
    for (const event of SEQUENCED) {
      socket.on(event, (payload: { seq: number }) => this.receive(event, payload));
    }
    socket.onAny((event: string, payload: unknown) => {
      // Every server message carries its own `type`: the wire's JSON is typed here, once.
      // A new moderator's briefing shares the seq of the role change it follows: not deduplicated.
      if (event.startsWith('media:') || event === 'error' || event === 'moderator-briefing')
        this.handlers.onMessage(payload as AnyServerMessage);
    });
    socket.on('connect', () => {
      this.failedAttempts = 0;
      this.handlers.onConnectionChange('online');
      void this.join().catch((error: unknown) => this.refuse(error));
    });
    socket.on('disconnect', (reason) => {
      if (this.closed) return;
      this.disconnects.add({ reason });
      this.handlers.onConnectionChange('reconnecting');
      // The server closed us on purpose (removed, meeting ended): the messages said why.
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('connect_error', (error: Error & { data?: ErrorBody }) => {
      // A refusal with a code is final (the token is no longer good); anything else is retried.
      if (error.data?.code) {
        this.refuse(error.data);
        return;
      }
      this.handlers.onConnectionChange('reconnecting');
      this.failedAttempts += 1;
      if (this.failedAttempts >= ATTEMPTS_BEFORE_LOCATING) void this.relocate();
    });
    return socket;
  }

  /**
   * Asks where the meeting is served now and, if that is another node, moves the socket there;
   * the `join` on connecting replays from lastSeq as after any reconnection. A failed question
   * (the page's own server unreachable too) leaves socket.io retrying where it was.
   */
  private async relocate(): Promise<void> {
    if (!this.locate || this.locating || this.closed) return;
    if (Date.now() - this.lastLocatedAt < LOCATE_INTERVAL_MS) return;
    this.locating = true;
    this.lastLocatedAt = Date.now();
    try {
      const url = await this.locate();
      if (this.closed || this.socket.connected || url === this.url) return;
      const old = this.socket;
      old.removeAllListeners();
      old.disconnect();
      this.url = url;
      this.failedAttempts = 0;
      this.socket = this.open(url);
    } catch {
      // Asked again after the next failed attempts.
    } finally {
      this.locating = false;
    }
  }

  get seq(): number {
    return this.lastSeq;
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Sends a client message and resolves with the acknowledgement's data. */
  request<K extends ClientMessageType>(type: K, payload: ClientMessage<K>): Promise<Answer<K>> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new SignalingError('CLOSED', 'The meeting connection is closed.'));
        return;
      }
      // The typed emitter cannot follow a generic message name; payloads are typed by `request`.
      const timed = this.socket.timeout(REQUEST_TIMEOUT_MS) as unknown as {
        emit(
          event: string,
          payload: unknown,
          callback: (err: Error | null, ack: Ack<Answer<K>>) => void,
        ): void;
      };
      timed.emit(type, payload, (err, ack) => {
        if (err) reject(new SignalingError('TIMEOUT', `No answer to ${type}; the connection may be down.`));
        else if (ack.ok) resolve(ack.data);
        else reject(new SignalingError(ack.error.code, ack.error.message, ack.error.field));
      });
    });
  }

  /**
   * (Re)joins and takes the answer as the new baseline. A first join asks for no replay; a later
   * one (after a reconnection, or to refresh the snapshot once admitted) replays from lastSeq.
   */
  async join(fresh = false): Promise<Answer<'join'>> {
    const rejoin = this.joinedOnce && !fresh;
    this.held = [];
    try {
      const result = await this.request('join', rejoin && this.lastSeq >= 0 ? { lastSeq: this.lastSeq } : {});
      this.joinedOnce = true;
      // A fresh snapshot makes everything up to its seq known. After a reconnection the replay
      // (sent before the answer) fills the gap from lastSeq.
      if (!rejoin) this.lastSeq = Math.max(this.lastSeq, result.seq);
      this.handlers.onJoined(result, rejoin);
      this.releaseHeld();
      if (rejoin) this.lastSeq = Math.max(this.lastSeq, result.seq);
      return result;
    } catch (error) {
      this.releaseHeld();
      throw error;
    }
  }

  /**
   * Delivers what arrived during a join in stream order: a live broadcast of the new connection
   * can overtake the replay of older events, and must not make them look like duplicates.
   */
  private releaseHeld(): void {
    const held = (this.held ?? []).sort((a, b) => a.payload.seq - b.payload.seq);
    this.held = null;
    for (const { event, payload } of held) this.deliver(event, payload);
  }

  close(): void {
    this.closed = true;
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  private receive(event: SequencedEvent, payload: { seq: number }): void {
    if (this.held) this.held.push({ event, payload });
    else this.deliver(event, payload);
  }

  private deliver(event: SequencedEvent, payload: { seq: number }): void {
    if (payload.seq <= this.lastSeq) return;
    this.lastSeq = payload.seq;
    this.handlers.onMessage(payload as AnyServerMessage);
  }

  private refuse(error: unknown): void {
    if (this.closed) return;
    const body: ErrorBody =
      error instanceof SignalingError
        ? { code: error.code, message: error.message }
        : typeof error === 'object' && error !== null && 'code' in error
          ? (error as ErrorBody)
          : { code: 'UNKNOWN', message: String(error) };
    // A timeout while reconnecting is not final: socket.io keeps trying.
    if (body.code === 'TIMEOUT' || body.code === 'CLOSED') return;
    this.closed = true;
    this.socket.disconnect();
    this.handlers.onRefused(body);
  }
}
