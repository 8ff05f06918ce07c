import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { EventBus } from '../domain/ports/event-bus';
import type { StoredEvent } from '../domain/shared/envelope';

export interface BusThroughput {
  /** Events delivered per second, from the first publish to the last receipt. */
  eventsPerSec: number;
  /** Publish call → handler receipt, per event. */
  p50Ms: number;
  p99Ms: number;
}

export interface BenchBusOptions {
  /** Events per publish, as the forwarder sends them (default 100). */
  batchSize?: number;
  /** Fails the run if not everything arrived by then (default 120 s). */
  timeoutMs?: number;
}

/** A chat message as the store would hand it to the forwarder (a valid meeting event). */
function chatEvent(meetingId: string, streamRevision: number, globalPosition: number): StoredEvent {
  return {
    eventId: randomUUID(),
    type: 'ChatMessageSent',
    schemaVersion: 1,
    streamId: `meeting-${meetingId}`,
    meetingId,
    streamRevision,
    globalPosition,
    occurredAt: new Date().toISOString(),
    actor: { type: 'participant', participantId: 'bench', isHost: false },
    correlationId: randomUUID(),
    causationId: randomUUID(),
    data: { messageId: randomUUID(), senderId: 'bench', senderName: 'Bench', content: 'a typical chat line' },
    prevHash: '',
    hash: '',
  };
}

/** Nearest-rank percentile of ascending values. */
const percentile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;

/**
 * Measures the bus alone, the way the forwarder drives it: `events` chat events spread round-robin
 * over `meetings` meetings, published in batches one after another (each awaited), received by one
 * consumer group. Latency is from the publish call of an event's batch to its first arrival in the
 * handler. Pure measurement: prints nothing, leaves the bus open.
 */
export async function benchBus(
  bus: EventBus,
  events: number,
  meetings: number,
  options: BenchBusOptions = {},
): Promise<BusThroughput> {
  const batchSize = options.batchSize ?? 100;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const meetingIds = Array.from({ length: meetings }, () => randomUUID());
  const all = Array.from({ length: events }, (_, i) =>
    chatEvent(meetingIds[i % meetings] ?? '', Math.floor(i / meetings), i + 1),
  );
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let lastReceipt = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const subscription = await bus.subscribe({
    group: `bench-${randomUUID()}`,
    handler: async (batch) => {
      const now = performance.now();
      for (const event of batch) {
        const sent = sentAt.get(event.eventId);
        if (sent === undefined) continue; // a duplicate, or someone else's event
        sentAt.delete(event.eventId);
        latencies.push(now - sent);
      }
      lastReceipt = now;
      if (latencies.length === events) resolveDone();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const start = performance.now();
    for (let i = 0; i < all.length; i += batchSize) {
      const batch = all.slice(i, i + batchSize);
      const now = performance.now();
      for (const event of batch) sentAt.set(event.eventId, now);
      await bus.publish(batch);
    }
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`benchBus: ${latencies.length}/${events} events arrived within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    await Promise.race([done, timeout]);
    latencies.sort((a, b) => a - b);
    return {
      eventsPerSec: events / ((lastReceipt - start) / 1_000),
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
    };
  } finally {
    clearTimeout(timer);
    await subscription.close();
  }
}
