import { percentile, round } from './stats';

/** One chat message's moments, in ms on the machine's monotonic clock (tester and server alike). */
export interface ChatMoments {
  /** The tester emitted it. */
  sent: number;
  /** The gateway read it and began `dispatch` (server). */
  received?: number;
  /** Its answer was ready: validated, decided, durably appended (server). */
  answered?: number;
  /** Its event was handed to the meeting's sockets (server). */
  broadcast?: number;
  /** The last of the other participants received it (tester). */
  delivered?: number;
}

/**
 * The stages a delivered message's time is cut into, one after another (their means over the same
 * messages add up to the total's), then the sender's answer on its own way: the broadcast comes
 * off the bus before the command handler answers. A message missing any moment is left out.
 */
export const STAGES = [
  { stage: 'to the server', from: 'sent', to: 'received' },
  { stage: 'read → broadcast (validate, decide, durable append, bus)', from: 'received', to: 'broadcast' },
  { stage: 'broadcast → last delivery', from: 'broadcast', to: 'delivered' },
  { stage: 'total (sent → last delivery)', from: 'sent', to: 'delivered' },
  { stage: 'read → answered (the sender’s acknowledgement)', from: 'received', to: 'answered' },
] as const;

export interface StageRow {
  stage: string;
  'p50 ms': number;
  'p90 ms': number;
  'p99 ms': number;
  /** The mean of the stage over the messages whose total is in the middle tenth. */
  'median messages, mean ms': number;
  /** The mean of the stage over the slowest 1 % of messages (by total): where the p99 comes from. */
  'slowest 1 %, mean ms': number;
}

const complete = (m: ChatMoments): m is Required<ChatMoments> =>
  m.received !== undefined &&
  m.answered !== undefined &&
  m.broadcast !== undefined &&
  m.delivered !== undefined;

/**
 * Cuts each message's latency into stages and shows, beside each stage's own percentiles, its
 * share of the median messages and of the slowest 1 % (by total).
 */
export function summarizeStages(messages: readonly ChatMoments[]): { rows: StageRow[]; messages: number } {
  const done = messages.filter(complete);
  const byTotal = [...done].sort((a, b) => a.delivered - a.sent - (b.delivered - b.sent));
  const slowest = byTotal.slice(Math.floor(byTotal.length * 0.99));
  const middle = byTotal.slice(Math.floor(byTotal.length * 0.45), Math.ceil(byTotal.length * 0.55));
  const mean = (list: readonly Required<ChatMoments>[], f: (m: Required<ChatMoments>) => number) =>
    list.length === 0 ? Number.NaN : list.reduce((sum, m) => sum + f(m), 0) / list.length;
  const rows = STAGES.map(({ stage, from, to }) => {
    const of = (m: Required<ChatMoments>) => m[to] - m[from];
    const sorted = done.map(of).sort((a, b) => a - b);
    return {
      stage,
      'p50 ms': round(percentile(sorted, 50), 2),
      'p90 ms': round(percentile(sorted, 90), 2),
      'p99 ms': round(percentile(sorted, 99), 2),
      'median messages, mean ms': round(mean(middle, of), 2),
      'slowest 1 %, mean ms': round(mean(slowest, of), 2),
    };
  });
  return { rows, messages: done.length };
}

/** A perf_hooks `gc` entry of the server's event loop: when (monotonic ms), how long, which kind. */
export interface GcPause {
  at: number;
  ms: number;
  kind?: number;
}

/** perf_hooks' NODE_PERFORMANCE_GC_MINOR: a scavenge; every other kind is part of a full collection. */
const SCAVENGE = 1;

/** The event loop's collections within [from, to]: how many, how long in all, the longest, full ones. */
export function summarizeGc(gcs: readonly GcPause[], from: number, to: number) {
  const inside = gcs.filter((g) => g.at >= from && g.at <= to);
  return {
    pauses: inside.length,
    'paused ms': round(
      inside.reduce((sum, g) => sum + g.ms, 0),
      0,
    ),
    'longest ms': round(Math.max(0, ...inside.map((g) => g.ms)), 1),
    'full-collection pauses': inside.filter((g) => g.kind !== SCAVENGE).length,
  };
}
