import { Worker } from 'node:worker_threads';
import {
  DEFAULT_SEND_TICK_MS,
  monotonicUs,
  summarizeChatLoad,
  type ChatLoadShape,
  type ChatLoadOptions,
  type ChatLoadResult,
  type ChatShareRaw,
  type ChatTarget,
  type ChatTargetSpec,
} from './chat-share';

/** What a tester thread is given (bench/chat-load.worker.ts). */
export interface ChatThreadData {
  spec: ChatTargetSpec;
  index: number;
  /** This thread's share: its meetings, its part of the rate. */
  shape: ChatLoadShape;
  startDelayMs: number;
  /** Whether to note each chat's send / delivery time for the caller's hooks. */
  noteSent: boolean;
  noteDelivered: boolean;
  noteAcks: boolean;
}

/** What a tester thread tells the caller. */
export type ChatThreadMessage =
  | { type: 'progress'; line: string }
  | { type: 'ready' }
  | { type: 'sent'; atUs: number }
  | {
      type: 'done';
      raw: ChatShareRaw;
      /** [id, monotonic ms] pairs, in the order they happened. */
      sent: [string, number][];
      delivered: [string, number][];
      acks: { sentAtMs: Float64Array; latencyMs: Float64Array };
    };

/** What the caller tells a tester thread: start sending (at `startAtMs` on the monotonic clock, if named). */
export type ChatThreadCommand = { type: 'go'; startAtMs?: number };

/** `n` as evenly as it goes over `parts` (the first ones take the remainder). */
export const splitEvenly = (n: number, parts: number): number[] =>
  Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0));

/**
 * The chat load on several threads of this process, each with its own meetings and clients and
 * its share of the rate; they open their meetings, then start sending together (their ticks
 * interleaved), and their figures are pooled. The process's CPU time still covers all of them.
 */
export async function runChatLoadOnThreads(
  target: ChatTarget,
  options: ChatLoadOptions,
  threads: number,
): Promise<ChatLoadResult> {
  const { spec } = target;
  if (!spec) throw new Error(`chat load: ${target.name} cannot be rebuilt in a tester thread`);
  if (options.meetings < threads)
    throw new Error(`chat load: ${threads} tester threads need at least as many meetings`);
  const tickMs = options.sendTickMs ?? DEFAULT_SEND_TICK_MS;
  const meetings = splitEvenly(options.meetings, threads);
  const workers = meetings.map(
    (share, index) =>
      new Worker(new URL('./chat-load.worker.mjs', import.meta.url), {
        workerData: {
          spec,
          index,
          shape: {
            meetings: share,
            participants: options.participants,
            // Every participant sends at the same pace whichever thread it is on.
            ratePerSecond: (options.ratePerSecond * share) / options.meetings,
            durationMs: options.durationMs,
            setupConcurrency: Math.max(1, Math.ceil((options.setupConcurrency ?? 16) / threads)),
            sendTickMs: tickMs,
            sendOrder: options.sendOrder ?? 'by-meeting',
            ...(options.windows ? { windows: options.windows } : {}),
            ...(options.warmupMs ? { warmupMs: options.warmupMs } : {}),
          },
          startDelayMs: (tickMs * index) / threads,
          noteSent: options.onSent !== undefined,
          noteDelivered: options.onDelivered !== undefined,
          noteAcks: options.onAck !== undefined,
        } satisfies ChatThreadData,
      }),
  );
  const ready: Promise<void>[] = [];
  const sentAll: Promise<number>[] = [];
  const done: Promise<Extract<ChatThreadMessage, { type: 'done' }>>[] = [];
  for (const worker of workers) {
    const failed = new Promise<never>((_, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`tester thread exited (${code}) before its report`)));
    });
    failed.catch(() => undefined);
    const when = <T extends ChatThreadMessage['type']>(type: T) =>
      Promise.race([
        new Promise<Extract<ChatThreadMessage, { type: T }>>((resolve) => {
          const listen = (message: ChatThreadMessage) => {
            if (message.type !== type) return;
            worker.off('message', listen);
            resolve(message as Extract<ChatThreadMessage, { type: T }>);
          };
          worker.on('message', listen);
        }),
        failed,
      ]);
    worker.on('message', (message: ChatThreadMessage) => {
      if (message.type === 'progress') options.onProgress?.(message.line);
    });
    // Each is marked handled at once: a thread failing while the caller awaits an earlier step
    // (its meetings failing to open) must fail the load, not crash the process with the later
    // steps' rejections that nobody awaits yet.
    const steps = [
      when('ready').then(() => undefined),
      when('sent').then((m) => m.atUs),
      when('done'),
    ] as const;
    for (const step of steps) step.catch(() => undefined);
    ready.push(steps[0]);
    sentAll.push(steps[1]);
    done.push(steps[2]);
  }
  try {
    await Promise.all(ready);
    const startAtMs = await options.startGate?.();
    options.onSendStart?.();
    const fromUs = monotonicUs();
    for (const worker of workers)
      worker.postMessage({
        type: 'go',
        ...(startAtMs === undefined ? {} : { startAtMs }),
      } satisfies ChatThreadCommand);
    const ends = await Promise.all(sentAll);
    options.onSendPhase?.(fromUs, Math.max(...ends));
    const reports = await Promise.all(done);
    for (const report of reports) {
      for (const [id, at] of report.sent) options.onSent?.(id, at);
      for (const [id, at] of report.delivered) options.onDelivered?.(id, at);
      const { sentAtMs, latencyMs } = report.acks;
      for (let i = 0; i < sentAtMs.length; i++) options.onAck?.(sentAtMs[i]!, latencyMs[i]!);
    }
    return summarizeChatLoad(
      target.name,
      options,
      reports.map((r) => r.raw),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
