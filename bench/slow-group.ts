import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { EventBus } from '../domain/ports/event-bus';
import type { StoredEvent } from '../domain/shared/envelope';
import { percentile } from './stats';

export interface SlowGroupResult {
  maxInFlight: number;
  /** The batch's due time (its commit) → receipt at the fast group (the broadcast). */
  fastP50Ms: number;
  fastP99Ms: number;
}

/**
 * A fast group (the signaling broadcast) beside a slow one (a read model on a loaded database:
 * `slowMs` per batch, with a stall now and then), fed like the forwarder feeds the bus: batches at a steady rate, at most
 * `maxInFlight` publishes unacknowledged. With 1 (the forwarder's old way) every batch waits for
 * the slow group; with more, the in-process bus's per-group queues let the fast group run ahead.
 */
export async function benchSlowGroup(
  bus: EventBus,
  options: {
    batches: number;
    batchSize: number;
    intervalMs: number;
    slowMs: number;
    /** Every `stallEvery`-th batch the slow group stalls for `stallMs` (a database hiccup). */
    stallEvery: number;
    stallMs: number;
    maxInFlight: number;
  },
): Promise<SlowGroupResult> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const fast = await bus.subscribe({
    group: `fast-${randomUUID()}`,
    handler: async (batch) => {
      const now = performance.now();
      for (const e of batch) latencies.push(now - (sentAt.get(e.eventId) ?? now));
    },
  });
  let slowBatches = 0;
  const slow = await bus.subscribe({
    group: `slow-${randomUUID()}`,
    handler: () =>
      new Promise((resolve) =>
        setTimeout(resolve, ++slowBatches % options.stallEvery === 0 ? options.stallMs : options.slowMs),
      ),
  });
  const meetingId = randomUUID();
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  let revision = 0;
  for (let b = 0; b < options.batches; b++) {
    const due = start + b * options.intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const batch: StoredEvent[] = Array.from({ length: options.batchSize }, () => ({
      eventId: randomUUID(),
      type: 'ChatMessageSent',
      schemaVersion: 1,
      streamId: `meeting-${meetingId}`,
      meetingId,
      streamRevision: revision,
      globalPosition: ++revision,
      occurredAt: new Date().toISOString(),
      actor: { type: 'participant', participantId: 'p', isHost: false },
      correlationId: 'c',
      causationId: 'c',
      data: { messageId: randomUUID(), senderId: 'p', senderName: 'P', content: 'hi' },
      prevHash: '',
      hash: '',
    }));
    // From when the batch was due (committed in the store), so a publisher held back counts.
    for (const e of batch) sentAt.set(e.eventId, due);
    inFlight.push(bus.publish(batch));
    while (inFlight.length >= options.maxInFlight) await inFlight.shift();
  }
  await Promise.all(inFlight);
  await fast.close();
  await slow.close();
  latencies.sort((a, b) => a - b);
  return {
    maxInFlight: options.maxInFlight,
    fastP50Ms: percentile(latencies, 50),
    fastP99Ms: percentile(latencies, 99),
  };
}
