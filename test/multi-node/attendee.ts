import { connect, type ClientSocket } from '../support/confer-client';
import type { Ack, JoinResult } from '../../protocol/signaling';
import { api, socketUrlOn } from './cluster';

/** A server broadcast that carries `seq` (its event's revision in the meeting's stream). */
export interface Sequenced {
  event: string;
  payload: { seq: number } & Record<string, unknown>;
}

/**
 * One participant as a client sees the meeting: joined over REST through one node, its socket on
 * a node of the test's choosing. It keeps every sequenced broadcast as it arrived (`raw`, over all
 * its connections) and what a client following the protocol shows (`shown`): the web client's
 * rule (web/src/session/signaling-client.ts) — broadcasts that arrive during a join wait for its
 * answer and are put in seq order, and anything not newer than the last seq shown is dropped.
 */
export class Attendee {
  readonly raw: Sequenced[] = [];
  readonly shown: Sequenced[] = [];
  socket!: ClientSocket;
  /** The node URL the current socket is connected to. */
  socketNode = '';
  lastSeq = -1;
  private held: Sequenced[] | null = null;

  constructor(
    readonly name: string,
    readonly meetingId: string,
    readonly participantId: string,
    readonly token: string,
    /** What REST join answered: the placed node's socket URL. */
    readonly webSocketUrl: string,
  ) {}

  /** Connects to `nodeUrl` (not necessarily the placed node) and joins with `lastSeq` if rejoining. */
  async connectTo(nodeUrl: string, { rejoin = false } = {}): Promise<JoinResult> {
    const socket = await connect({ webSocketUrl: socketUrlOn(nodeUrl, this.meetingId), token: this.token });
    this.socket = socket;
    this.socketNode = nodeUrl;
    socket.onAny((event: string, payload: unknown) => {
      if (typeof (payload as { seq?: unknown } | undefined)?.seq !== 'number') return;
      const message = { event, payload: payload as Sequenced['payload'] };
      this.raw.push(message);
      if (this.held) this.held.push(message);
      else this.show(message);
    });
    this.held = [];
    try {
      const ack = await this.send<JoinResult>('join', rejoin ? { lastSeq: this.lastSeq } : {});
      if (!ack.ok) throw new Error(`${this.name}: join refused: ${ack.error.code} ${ack.error.message}`);
      if (!rejoin) this.lastSeq = Math.max(this.lastSeq, ack.data.seq);
      return ack.data;
    } finally {
      const held = (this.held ?? []).sort((a, b) => a.payload.seq - b.payload.seq);
      this.held = null;
      for (const message of held) this.show(message);
    }
  }

  private show(message: Sequenced): void {
    if (message.payload.seq <= this.lastSeq) return;
    this.lastSeq = message.payload.seq;
    this.shown.push(message);
  }

  /** Sends a chat message; resolves with its acknowledgement. */
  say(message: string): Promise<Ack<{ seq: number }>> {
    return this.send('chat', { message });
  }

  /**
   * Sends a message; resolves with its acknowledgement, or with a TIMEOUT error when none comes
   * (the node died with the message in hand).
   */
  send<T = { seq: number }>(type: string, payload: unknown = {}, timeoutMs = 15_000): Promise<Ack<T>> {
    return new Promise((resolve) => {
      const timed = this.socket.timeout(timeoutMs) as unknown as {
        emit(event: string, payload: unknown, callback: (err: Error | null, ack: Ack<T>) => void): void;
      };
      timed.emit(type, payload, (err, ack) =>
        resolve(err ? { ok: false, error: { code: 'TIMEOUT', message: err.message } } : ack),
      );
    });
  }

  /** The chat messages shown, in order. */
  chats(): string[] {
    return this.shown.filter((m) => m.event === 'chat').map((m) => String(m.payload['message']));
  }

  /** Every sequenced broadcast arrived once and in stream order (over all its connections). */
  rawSeqs(): number[] {
    return this.raw.map((m) => m.payload.seq);
  }

  disconnect(): void {
    this.socket?.disconnect();
  }
}

/**
 * Joins `meetingId` over REST through `via` and connects the socket to `socketOn` (default: the
 * URL join answered with).
 */
export async function attend(options: {
  via: string;
  meetingId: string;
  name: string;
  hostToken?: string;
  socketOn?: string;
}): Promise<Attendee> {
  const joined = await api(options.via).join(
    options.meetingId,
    options.name,
    options.hostToken ? { hostToken: options.hostToken } : {},
  );
  const attendee = new Attendee(
    options.name,
    options.meetingId,
    joined.participantId,
    joined.token,
    joined.webSocketUrl,
  );
  const socketOn = options.socketOn ?? joined.webSocketUrl.replace(/\/meetings\/[^/]+$/, '');
  await attendee.connectTo(socketOn);
  return attendee;
}

/** True when the numbers are strictly increasing (each once, in order). */
export const strictlyIncreasing = (seqs: number[]) => seqs.every((s, i) => i === 0 || s > seqs[i - 1]!);

export interface SentChat {
  from: string;
  message: string;
  /** The acknowledgement: the seq it got, or the error code it was refused with. */
  seq?: number;
  error?: string;
}

/**
 * Chat that keeps flowing until stopped: each sender sends one message after another (the next
 * once the previous is acknowledged, then a pause of `pauseMs`), as people typing would.
 */
export function chatFlow(senders: Attendee[], { prefix = 'flow', pauseMs = 20 } = {}) {
  const sent: SentChat[] = [];
  let running = true;
  const loops = senders.map(async (sender) => {
    for (let i = 0; running; i++) {
      const message = `${prefix} ${sender.name} ${i}`;
      const ack = await sender.say(message);
      sent.push(
        ack.ok
          ? { from: sender.name, message, seq: ack.data.seq }
          : { from: sender.name, message, error: ack.error.code },
      );
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  });
  return {
    sent,
    acknowledged: () => sent.filter((c) => c.seq !== undefined),
    async stop(): Promise<SentChat[]> {
      running = false;
      await Promise.all(loops);
      return sent;
    },
  };
}

/** Acknowledged chat messages in stream order. */
export const inStreamOrder = (chats: SentChat[]) =>
  chats
    .filter((c) => c.seq !== undefined)
    .sort((p, q) => p.seq! - q.seq!)
    .map((c) => c.message);
