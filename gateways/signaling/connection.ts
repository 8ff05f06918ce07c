import type { ServerMessage, ServerMessageType } from '../../protocol/signaling';

/** Who holds a connection, from its verified token (never from a message). */
export interface Identity {
  meetingId: string;
  participantId: string;
  isHost: boolean;
  /** The token's expiry (seconds since the epoch): the connection ends then. */
  exp: number;
  /** The client's address, as the connection sees it (rate limits per address). */
  address: string;
}

/**
 * One client connection to a meeting, whichever framing carries it (socket.io or a plain
 * WebSocket): everything above the framing speaks to this and nothing else.
 */
export interface Connection {
  readonly id: string;
  readonly identity: Identity;
  /** Rooms of its meeting it receives (see Rooms in event-messages.ts). */
  readonly rooms: Set<string>;
  /** Set when the meeting removed this participant: the disconnect that follows is no drop-out. */
  evicted: boolean;
  send<K extends ServerMessageType>(message: ServerMessage<K>): void;
  /** Ends the connection (the framing then reports it closed). */
  close(): void;
  /**
   * Connections of one framing that can receive one message together, encoded once (socket.io's
   * broadcast, one JSON text for many WebSockets): a broadcast to a meeting costs one encoding.
   */
  readonly batch?: Batch;
}

export interface Batch {
  sendMany<K extends ServerMessageType>(connections: Connection[], message: ServerMessage<K>): void;
}

/** The connections of this node, by meeting: who receives a broadcast. */
export class ConnectionHub {
  private readonly meetings = new Map<string, Set<Connection>>();

  add(connection: Connection): void {
    const { meetingId } = connection.identity;
    let set = this.meetings.get(meetingId);
    if (!set) this.meetings.set(meetingId, (set = new Set()));
    set.add(connection);
  }

  /** Removes it; true when its meeting has no connection left here. */
  remove(connection: Connection): boolean {
    const { meetingId } = connection.identity;
    const set = this.meetings.get(meetingId);
    set?.delete(connection);
    if (set && set.size === 0) this.meetings.delete(meetingId);
    return !this.meetings.has(meetingId);
  }

  has(meetingId: string): boolean {
    return this.meetings.has(meetingId);
  }

  /** The meeting's connections in any of `rooms` (all of them without rooms). */
  in(meetingId: string, rooms?: readonly string[]): Connection[] {
    const all = [...(this.meetings.get(meetingId) ?? [])];
    return rooms ? all.filter((c) => rooms.some((room) => c.rooms.has(room))) : all;
  }

  ofParticipant(meetingId: string, participantId: string): Connection[] {
    return this.in(meetingId).filter((c) => c.identity.participantId === participantId);
  }

  send<K extends ServerMessageType>(
    meetingId: string,
    rooms: readonly string[],
    message: ServerMessage<K>,
  ): number {
    const targets = this.in(meetingId, rooms);
    const batches = new Map<Batch, Connection[]>();
    for (const c of targets) {
      if (!c.batch) c.send(message);
      else {
        const list = batches.get(c.batch);
        if (list) list.push(c);
        else batches.set(c.batch, [c]);
      }
    }
    for (const [batch, connections] of batches) batch.sendMany(connections, message);
    return targets.length;
  }

  count(): number {
    let n = 0;
    for (const set of this.meetings.values()) n += set.size;
    return n;
  }

  all(): Connection[] {
    return [...this.meetings.values()].flatMap((set) => [...set]);
  }
}
