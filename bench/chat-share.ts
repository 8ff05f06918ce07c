import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import { z } from 'zod';
import { api } from '../test/support/confer-client';
import { LeanSocket, type ChatSocket } from './lean-socket';
import { SampleLog } from './sample-log';
import { summarize } from './stats';

/*
 * One thread's share of the chat load: the targets it opens meetings on, its clients, the sending
 * and the timing. bench/chat-load.ts runs it on one thread or on several.
 */

/**
 * What a Confer server needs to carry the chat load: the bench's 5,000 simulated clients all
 * connect from one address, far past the per-address budgets a server keeps by default.
 */
export const CHAT_LOAD_BUDGETS = {
  HTTP_RATE_PER_MINUTE: '100000000',
  SOCKET_RATE_PER_SECOND: '1000',
  SOCKET_RATE_BURST: '2000',
  SOCKET_RATE_PER_ADDRESS_PER_SECOND: '1000000',
  SOCKET_RATE_PER_ADDRESS_BURST: '1000000',
  SOCKET_CONNECTS_PER_MINUTE: '1000000',
};

/** What a tester thread needs to reach the same target on its own (bench/chat-load.worker.ts). */
export interface ChatTargetSpec {
  kind: 'confer' | 'relay';
  url: string;
  name: string;
}

/** Something the load generator can put meetings on: Confer itself, or the bare relay baseline. */
export interface ChatTarget {
  name: string;
  /** How to rebuild this target in another thread; a target without it runs on one thread only. */
  spec?: ChatTargetSpec;
  openMeeting(participants: number): Promise<ChatSocket[]>;
  /**
   * Ends a meeting once its round is over, as its host would (the first socket), before its
   * sockets leave. Left running instead, a round's 5,000 participants ended their reconnection
   * grace 30 s later, inside the next round's window, which then measured their departures too.
   */
  endMeeting?(sockets: ChatSocket[]): Promise<void>;
}

type AckFn = (r: { ok: boolean }) => void;
const emitWithAck = (socket: ChatSocket, event: string, payload: unknown): Promise<{ ok: boolean }> =>
  new Promise((resolve) => socket.emit(event, payload, ((r) => resolve(r)) as AckFn));

/**
 * Which client the simulated participants use: `lean` (bench/lean-socket.ts: socket.io's frames
 * over a bare WebSocket, the same bytes for the server at a fraction of the tester's CPU) or
 * `socket.io` (socket.io-client itself, as the web client). From CHAT_TESTER_CLIENT, which
 * tester threads see as their process does.
 */
const TesterClient = z.enum(['lean', 'socket.io']).default('lean');

export function testerClient(): z.infer<typeof TesterClient> {
  const parsed = TesterClient.safeParse(process.env.CHAT_TESTER_CLIENT);
  if (!parsed.success) {
    throw new Error(
      `CHAT_TESTER_CLIENT: expected lean or socket.io (got ${JSON.stringify(process.env.CHAT_TESTER_CLIENT)})`,
    );
  }
  return parsed.data;
}

/** One participant's connection, through the client CHAT_TESTER_CLIENT names (or `client`). */
export function connectSocket(
  url: string,
  auth: Record<string, unknown>,
  client: 'lean' | 'socket.io' = testerClient(),
): Promise<ChatSocket> {
  if (client === 'lean') return LeanSocket.connect(url, auth);
  const socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

export function conferTarget(baseUrl: string): ChatTarget {
  const client = api(baseUrl);
  return {
    name: 'confer',
    spec: { kind: 'confer', url: baseUrl, name: 'confer' },
    async openMeeting(n) {
      const meeting = await client.createMeeting({
        title: 'bench',
        settings: { maxParticipants: Math.max(2, n) },
      });
      const sockets: ChatSocket[] = [];
      for (let i = 0; i < n; i++) {
        const joined = await client.join(
          meeting.meetingId,
          `p${i}`,
          i === 0 ? { hostToken: meeting.hostToken } : {},
        );
        const socket = await connectSocket(joined.webSocketUrl, { token: joined.token });
        const ack = await emitWithAck(socket, 'join', {});
        if (!ack.ok) throw new Error(`join refused: ${JSON.stringify(ack)}`);
        sockets.push(socket);
      }
      return sockets;
    },
    async endMeeting(sockets) {
      const ack = await emitWithAck(sockets[0]!, 'end-meeting', {});
      if (!ack.ok) throw new Error(`end-meeting refused: ${JSON.stringify(ack)}`);
    },
  };
}

export function bareRelayTarget(baseUrl: string, name = 'bare socket.io relay'): ChatTarget {
  let rooms = 0;
  return {
    name,
    spec: { kind: 'relay', url: baseUrl, name },
    async openMeeting(n) {
      const room = `r${rooms++}`;
      const sockets: ChatSocket[] = [];
      for (let i = 0; i < n; i++) {
        const socket = await connectSocket(baseUrl, {});
        await emitWithAck(socket, 'join', { room });
        sockets.push(socket);
      }
      return sockets;
    },
  };
}

/** The relay that stores each chat (fsync) before it forwards it: the same protocol as the bare relay. */
export const durableRelayTarget = (baseUrl: string): ChatTarget =>
  bareRelayTarget(baseUrl, 'durable relay (fsync first)');

export const targetFromSpec = (spec: ChatTargetSpec): ChatTarget =>
  spec.kind === 'confer' ? conferTarget(spec.url) : bareRelayTarget(spec.url, spec.name);

export interface ChatLoadOptions {
  meetings: number;
  participants: number;
  /** Chat messages offered per second, across all meetings. */
  ratePerSecond: number;
  durationMs: number;
  setupConcurrency?: number;
  onProgress?(line: string): void;
  /** Called as sending starts (e.g. to read the server's CPU time). */
  onSendStart?(): void;
  /** The sending phase's bounds on the monotonic clock (µs), e.g. to cut a CPU profile to it. */
  onSendPhase?(fromUs: number, toUs: number): void;
  /** Each acknowledgement: when its chat was sent (ms into the sending phase) and its latency (ms). */
  onAck?(sentAtMs: number, latencyMs: number): void;
  /**
   * Called as each chat is emitted, with its text (its id) and the machine's monotonic clock in ms
   * (process.hrtime, which every process and thread shares), e.g. to time it against the server.
   * With tester threads, called once their round is over, with the times they noted.
   */
  onSent?(message: string, atMs: number): void;
  /** Called as each chat reaches one of the other participants (the same clock, the same caveat). */
  onDelivered?(message: string, atMs: number): void;
  /**
   * How many threads the simulated clients run on (1 by default: all in this thread). One thread
   * takes the broadcasts of every meeting one after another, so a server that answers in bursts
   * (a group commit's chats together) is timed with the tester's own queue in its figures;
   * threads let a burst be read as real clients, each on its own machine, would read it.
   */
  testerThreads?: number;
  /**
   * How often the chats due are sent (ms, 10 by default): each tick sends every chat due since
   * the last, so a long tick sends bursts, and 1 ms spreads them as independent people would.
   */
  sendTickMs?: number;
  /**
   * Who sends next (`by-meeting` by default): each meeting's participants one after another, so
   * that a tick sends whole meetings' chats together, which lets every server and the tester
   * gather a meeting's messages into fewer reads and writes (and Confer a meeting's chats into
   * one append); or `shuffled`, everyone in an order drawn once, as people who do not wait for
   * each other would send.
   */
  sendOrder?: 'by-meeting' | 'shuffled';
  /**
   * Send only within recurring windows (`durationMs` then counts the time spent in them), so that
   * several servers can take turns within seconds of each other in one run (bench/chat-interleaved.ts).
   */
  windows?: SendWindows;
  /**
   * Sent first and not counted (ms of sending, in windows if any): a fresh server's first seconds
   * (its code not yet compiled, its heap not yet grown) are not what the load measures.
   */
  warmupMs?: number;
  /**
   * Called once the meetings are open (on every tester thread): resolves with the machine's
   * monotonic clock (ms) at which sending starts, so that loads run side by side start together
   * and their windows line up. Without it, sending starts at once.
   */
  startGate?(): Promise<number>;
}

/** `onMs` of sending in every `periodMs`, starting `offsetMs` into each period. */
export interface SendWindows {
  periodMs: number;
  onMs: number;
  offsetMs: number;
}

/** Whether this moment (ms since sending started) is inside one of the windows (always, without). */
export function inWindow(elapsedMs: number, windows: SendWindows | undefined): boolean {
  if (!windows) return true;
  const t = elapsedMs - windows.offsetMs;
  return t >= 0 && t % windows.periodMs < windows.onMs;
}

/** How much of the time since sending started (ms) fell inside the windows. */
export function timeInWindows(elapsedMs: number, windows: SendWindows | undefined): number {
  if (!windows) return elapsedMs;
  const t = elapsedMs - windows.offsetMs;
  if (t <= 0) return 0;
  return Math.floor(t / windows.periodMs) * windows.onMs + Math.min(windows.onMs, t % windows.periodMs);
}

export interface ChatLoadResult {
  target: string;
  meetings: number;
  participants: number;
  offeredPerSec: number;
  ackedPerSec: number;
  rejected: number;
  deliveries: number;
  expectedDeliveries: number;
  latencyMs: ReturnType<typeof summarize>;
  /** Send → acknowledgement (for Confer: the event is durable in the store). */
  ackLatencyMs: ReturnType<typeof summarize>;
  setupSeconds: number;
}

/** What one thread's clients measured, before summing up (bench/chat-load.worker.ts sends it back). */
export interface ChatShareRaw {
  sent: number;
  acked: number;
  rejected: number;
  deliveries: number;
  sendSeconds: number;
  setupSeconds: number;
  latencies: Float64Array;
  ackLatencies: Float64Array;
}

/** How one thread's share of the load fits the whole (bench/chat-load-threads.ts). */
export interface ChatShare {
  /** Put before each chat's id, so that ids stay unique across threads. */
  idPrefix: string;
  /**
   * Waited for between the meetings being open and the first chat (all threads start together);
   * may name the monotonic clock's ms at which to start (ChatLoadOptions.startGate).
   */
  beforeSending?(): Promise<number | void>;
  /** How long to wait before the first tick, so that the threads' ticks interleave. */
  startDelayMs: number;
  /** Told as this share has sent its last chat (the monotonic clock, µs). */
  onSendEnd?(atUs: number): void;
}

/** The machine's monotonic clock (process.hrtime), which every process and thread shares. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

export const DEFAULT_SEND_TICK_MS = 10;

/** The load's shape without its hooks: what a tester thread can be handed as it is. */
export type ChatLoadShape = Pick<
  ChatLoadOptions,
  | 'meetings'
  | 'participants'
  | 'ratePerSecond'
  | 'durationMs'
  | 'setupConcurrency'
  | 'sendTickMs'
  | 'sendOrder'
  | 'windows'
  | 'warmupMs'
>;

/** The shares' figures as one result: counts added, latencies pooled before their percentiles. */
export function summarizeChatLoad(
  name: string,
  options: ChatLoadOptions,
  shares: readonly ChatShareRaw[],
): ChatLoadResult {
  const sum = (pick: (s: ChatShareRaw) => number) => shares.reduce((n, s) => n + pick(s), 0);
  const sendSeconds = Math.max(...shares.map((s) => s.sendSeconds));
  const acked = sum((s) => s.acked);
  return {
    target: name,
    meetings: options.meetings,
    participants: options.participants,
    offeredPerSec: sum((s) => s.sent) / sendSeconds,
    ackedPerSec: acked / sendSeconds,
    rejected: sum((s) => s.rejected),
    deliveries: sum((s) => s.deliveries),
    expectedDeliveries: acked * (options.participants - 1),
    latencyMs: summarize(SampleLog.concat(shares.map((s) => s.latencies))),
    ackLatencyMs: summarize(SampleLog.concat(shares.map((s) => s.ackLatencies))),
    setupSeconds: Math.max(...shares.map((s) => s.setupSeconds)),
  };
}

/** One thread's part of the load: its meetings, at its share of the rate. */
export async function runChatShare(
  target: ChatTarget,
  options: ChatLoadOptions,
  share: ChatShare,
): Promise<ChatShareRaw> {
  const setupStart = performance.now();
  const meetings: ChatSocket[][] = [];
  const concurrency = options.setupConcurrency ?? 16;
  let opened = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, options.meetings) }, async () => {
      while (opened < options.meetings) {
        opened++;
        meetings.push(await target.openMeeting(options.participants));
        if (meetings.length % 100 === 0)
          options.onProgress?.(`  ${target.name}: ${meetings.length}/${options.meetings} meetings open`);
      }
    }),
  );
  const setupSeconds = (performance.now() - setupStart) / 1000;

  // Chats in flight, each until the last of its deliveries: pruned as they arrive, so that a long
  // load (the in-turns method keeps its threads for minutes) does not time the tester's own
  // growing map and its rehashes instead of the server.
  const sentAt = new Map<string, { t0: number; sender: ChatSocket; awaiting: number }>();
  const latencies = new SampleLog();
  const ackLatencies = new SampleLog();
  let deliveries = 0;
  /** The first timed chat's number: a delivery of a later one no longer in flight came twice. */
  let firstTimed = Number.POSITIVE_INFINITY;
  const idStem = `${share.idPrefix}m`;
  const { onDelivered, onSent } = options;
  for (const sockets of meetings) {
    for (const socket of sockets) {
      socket.on('chat', (msg: { message: string }) => {
        const sent = sentAt.get(msg.message);
        if (!sent) {
          // Counted, so that a chat delivered twice shows as more deliveries than expected; but
          // not the sender's own copy (Confer echoes a chat to its sender too), which may come
          // after the others': chat n was sent by all[n % all.length] (one sender a chat, in turn).
          const n = chatNumber(msg.message, idStem);
          if (n !== undefined && n >= firstTimed && all[n % all.length] !== socket) deliveries++;
          return;
        }
        if (sent.sender === socket) return;
        latencies.push(performance.now() - sent.t0);
        deliveries++;
        if (--sent.awaiting === 0) sentAt.delete(msg.message);
        onDelivered?.(msg.message, monotonicMs());
      });
    }
  }

  const all = meetings.flatMap((sockets) => sockets.map((socket) => socket));
  if (options.sendOrder === 'shuffled') shuffle(all, seededRandom(share.idPrefix));
  let acked = 0;
  let rejected = 0;
  let sent = 0;
  /** Chats sent, warm-up included: their ids, and how many are due. */
  let issued = 0;
  const warmupMs = options.warmupMs ?? 0;
  // The start, on the monotonic clock (which every thread shares; performance.now() does not):
  // named by the caller so that threads and loads keep one schedule, or now.
  const startAt = (await share.beforeSending?.()) ?? monotonicMs();
  const wait = startAt + share.startDelayMs - monotonicMs();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  // Time is counted from the common start, not from this thread's first tick (its delay only
  // interleaves the threads' ticks), so that every thread's windows open and close together.
  const start = performance.now() - (monotonicMs() - startAt);
  let awaitingAcks = 0;
  let allAcked: (() => void) | undefined;
  const tickMs = options.sendTickMs ?? DEFAULT_SEND_TICK_MS;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const wall = performance.now() - start;
      const elapsed = timeInWindows(wall, options.windows);
      if (elapsed >= warmupMs + options.durationMs) {
        clearInterval(timer);
        resolve();
        return;
      }
      // A late tick past a window's end sends nothing: what was due goes at the next window's start.
      if (!inWindow(wall, options.windows)) return;
      const due = Math.floor((elapsed / 1000) * options.ratePerSecond) - issued;
      for (let i = 0; i < due; i++) {
        const sender = all[issued % all.length]!;
        const id = `${share.idPrefix}m${issued++}`;
        if (elapsed < warmupMs) {
          // Warm-up: sent as any other, timed by nobody (its deliveries find no entry).
          sender.emit('chat', { message: id }, () => undefined);
          continue;
        }
        if (sent++ === 0) firstTimed = issued - 1;
        const t0 = performance.now();
        sentAt.set(id, { t0, sender, awaiting: options.participants - 1 });
        onSent?.(id, monotonicMs());
        awaitingAcks++;
        sender.emit('chat', { message: id }, ((ack) => {
          ackLatencies.push(performance.now() - t0);
          options.onAck?.(t0 - start, performance.now() - t0);
          if (ack.ok) acked++;
          else rejected++;
          if (--awaitingAcks === 0) allAcked?.();
        }) as AckFn);
      }
    }, tickMs);
  });
  const sendSeconds = (timeInWindows(performance.now() - start, options.windows) - warmupMs) / 1000;
  share.onSendEnd?.(monotonicUs());
  if (awaitingAcks > 0)
    await new Promise<void>((resolve) => {
      allAcked = resolve;
      setTimeout(resolve, 10_000);
    });
  // The last broadcasts: every one is waited for (up to 15 s), so a late one counts in the
  // percentiles instead of leaving them (a fixed second once hid broadcasts held 1–5 s behind
  // their acknowledgements: p99 showed 280 ms with 30 % of the messages missing).
  const expected = () => acked * (options.participants - 1);
  for (let waited = 0; deliveries < expected() && waited < 15_000; waited += 50)
    await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 200)); // and anything sent twice or to the wrong room shows
  if (options.windows) {
    // The other servers' turns go on until the last period is over: ending this one's meetings
    // and closing its 5,000 sockets meanwhile would load the machine inside their windows.
    const lastPeriodEnds =
      start + Math.ceil((warmupMs + options.durationMs) / options.windows.onMs) * options.windows.periodMs;
    const wait = lastPeriodEnds - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const { endMeeting } = target;
  if (endMeeting) {
    for (let i = 0; i < meetings.length; i += 50)
      await Promise.all(meetings.slice(i, i + 50).map((sockets) => endMeeting(sockets)));
  }
  for (const socket of all) socket.disconnect();
  return {
    sent,
    acked,
    rejected,
    deliveries,
    sendSeconds,
    setupSeconds,
    latencies: latencies.toArray(),
    ackLatencies: ackLatencies.toArray(),
  };
}

/** The number in a chat id this share made (`<stem><n>`), or undefined for anyone else's. */
export function chatNumber(message: string, idStem: string): number | undefined {
  if (!message.startsWith(idStem)) return undefined;
  const digits = message.slice(idStem.length);
  return /^\d+$/.test(digits) ? Number(digits) : undefined;
}

/** Fisher–Yates, in place. */
export function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/** The same order for the same seed from run to run (mulberry32): rounds stay comparable. */
export function seededRandom(seed: string): () => number {
  let state = 0x9e3779b9;
  for (const char of seed) state = Math.imul(state ^ char.charCodeAt(0), 0x85ebca6b);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
