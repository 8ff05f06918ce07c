import { monotonicMs, type ChatLoadOptions } from './chat-share';
import type { ChatServer } from './chat-servers';
import { measuredChatLoad, type MeasuredChat } from './measured-chat';
import { median, round, summarize } from './stats';

/**
 * The chat load against several servers all open at once, taking turns in windows of a few
 * seconds with a pause between two (for the last deliveries and the background work a window
 * leaves), until each has been sent `seconds` at the rate: bench/chat-interleaved.ts and the
 * bench's goal row (bench/run.ts).
 *
 * Why: on this shared machine the bare relay's own p99 at 4,000/s moves between ~5 and ~100 ms
 * from one half-minute to the next (docs/capacity.md, twenty-ninth and thirtieth sessions), so two
 * servers measured in turns of 30 s each are two draws from different minutes, and their ratio
 * swings with the neighbours more than with the code. Turns of a few seconds spread every
 * server's chats over the same minutes, so that the noise weighs on each alike.
 *
 * What it cannot remove: an idle server's background work (Confer's read models catching up, its
 * write-ahead log copied back) may spill past the pause into the next server's window and count
 * against that server (hence PAUSE_MS). And a server that collects garbage when idle (Confer,
 * app/idle-gc.ts) would do it in another's window: run it without (GC_WHEN_IDLE=false), as a
 * server under a steady load is never idle.
 */
export interface InterleavedChatOptions {
  meetings: number;
  participants: number;
  ratePerSecond: number;
  /** Sent to each server in all, over its windows. */
  seconds: number;
  windowSeconds: number;
  /** Between one server's window and the next one's (PAUSE_MS by default). */
  pauseSeconds?: number;
  tester: Pick<ChatLoadOptions, 'testerThreads' | 'sendTickMs' | 'sendOrder'>;
  onProgress?(line: string): void;
}

export interface InterleavedChatRun {
  server: string;
  run: MeasuredChat;
  /** The p99 of each of its windows' acknowledgements, in order. */
  windowAckP99s: number[];
}

/**
 * Between one server's window and the next one's: its last deliveries, its background work. A
 * server that defers work past its window (Confer's read models, at the lowest CPU priority, catch
 * up once the cores are free) needs the pause to outlast it, or the next server pays for it: with
 * a 1 s pause Confer kept 16–40 % of a core through the whole next window, and the bare relay in
 * it ran at a p50 of 36 ms against 4 (docs/capacity.md, thirty-first session); with 8 s it was
 * back to idle within ~2 s.
 */
export const PAUSE_MS = 5_000;

/** Resolves every caller with one start time on the monotonic clock once `n` have asked. */
function startTogether(n: number): () => Promise<number> {
  const waiting: ((at: number) => void)[] = [];
  return () =>
    new Promise<number>((resolve) => {
      waiting.push(resolve);
      if (waiting.length < n) return;
      const at = monotonicMs() + 500;
      for (const go of waiting) go(at);
    });
}

export async function runInterleavedChat(
  servers: readonly ChatServer[],
  options: InterleavedChatOptions,
): Promise<InterleavedChatRun[]> {
  const windowMs = options.windowSeconds * 1000;
  const slotMs = windowMs + (options.pauseSeconds === undefined ? PAUSE_MS : options.pauseSeconds * 1000);
  const periodMs = slotMs * servers.length;
  const gate = startTogether(servers.length);
  options.onProgress?.(
    `chat, in turns: ${servers.map((s) => s.name).join(', ')}: opening ${options.meetings} meetings of ${options.participants} on each`,
  );
  const acks = servers.map(() => new Map<number, number[]>());
  const runs = await Promise.all(
    servers.map((server, i) =>
      measuredChatLoad(
        server.target,
        server.pid,
        {
          meetings: options.meetings,
          participants: options.participants,
          ratePerSecond: options.ratePerSecond,
          durationMs: options.seconds * 1000,
          ...options.tester,
          windows: { periodMs, onMs: windowMs, offsetMs: i * slotMs },
          // Each server's first window warms it up (fresh processes: code not yet compiled).
          warmupMs: windowMs,
          startGate: gate,
          onAck: (sentAtMs, latencyMs) => {
            // Window 1 is the first measured one (window 0 warmed the server up).
            const window = Math.floor((sentAtMs - i * slotMs) / periodMs);
            const list = acks[i]!.get(window);
            if (list) list.push(latencyMs);
            else acks[i]!.set(window, [latencyMs]);
          },
          onSendStart: () => {
            if (i === 0)
              options.onProgress?.(
                `chat, in turns: ${options.windowSeconds} s windows, the first one each to warm up, ~${Math.ceil((options.seconds * periodMs) / windowMs + periodMs / 1000)} s in all`,
              );
          },
        },
        server.metricsUrl,
      ),
    ),
  );
  return servers.map((server, i) => ({
    server: server.name,
    run: runs[i]!,
    windowAckP99s: [...acks[i]!.entries()].sort(([a], [b]) => a - b).map(([, l]) => summarize(l).p99),
  }));
}

/** One row per server, its ratios to the first server's (the bare relay's). */
export function interleavedRows(runs: readonly InterleavedChatRun[]): Record<string, string | number>[] {
  const relay = runs[0]!;
  const relayWindows = median(relay.windowAckP99s);
  return runs.map(({ server, run, windowAckP99s: windows }) => ({
    server,
    'acked/s': round(run.ackedPerSec, 0),
    delivered: `${run.deliveries} / ${run.expectedDeliveries}`,
    'p50 ms': round(run.latencyMs.p50, 1),
    'p99 ms': round(run.latencyMs.p99, 1),
    'p99 / relay': round(run.latencyMs.p99 / relay.run.latencyMs.p99, 2),
    'ack p99 ms': round(run.ackLatencyMs.p99, 1),
    "windows' ack p99 ms, median (min–max)": `${round(median(windows), 1)} (${round(Math.min(...windows), 1)}–${round(Math.max(...windows), 1)})`,
    "median window / relay's": round(median(windows) / relayWindows, 2),
    'server µs/chat': round(run.cpu.serverUsPerChat, 0),
    'scavenge ms': run.gc?.scavengeMs ?? '-',
    'full GCs': run.gc?.majors ?? '-',
  }));
}
