import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { timeOrderedUuid } from '../infra/ids/time-ordered-uuid';
import { chatToAppend } from '../test/support/chat-event';
import type { EventStore, ExpectedRevision } from '../domain/ports/event-store';
import type { EventToAppend } from '../domain/shared/envelope';

export interface AppendBenchResult {
  appendsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Durable appends per second and append latency with `writers` concurrent writers, each a command
 * handler of its own meeting: one ~250-byte chat event per append, at the exact expected revision,
 * the next append sent once the previous one is acknowledged. Pure measurement: prints nothing.
 */
export async function benchAppends(
  store: EventStore,
  writers: number,
  durationMs: number,
): Promise<AppendBenchResult> {
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      const meetingId = randomUUID();
      const streamId = `meeting-${meetingId}`;
      let expectedRevision: ExpectedRevision = 'no_stream';
      while (performance.now() < deadline) {
        const sent = performance.now();
        const result = await store.append(streamId, [chatEvent(meetingId)], { expectedRevision });
        latencies.push(performance.now() - sent);
        expectedRevision = result.nextExpectedRevision;
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return {
    appendsPerSec: (latencies.length * 1000) / elapsedMs,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

/** One ~250-byte chat as the command handler appends it (its event id made as infra/ids makes them). */
export function chatEvent(meetingId: string, eventId: string = timeOrderedUuid()): EventToAppend {
  return chatToAppend(meetingId, { eventId });
}
