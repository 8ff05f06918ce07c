import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../domain/shared/envelope';
import { describeEventBusContract, meetingHistory } from '../../test/contracts/event-bus.contract';
import { createInProcessEventBus } from './in-process-event-bus';

describeEventBusContract('in-process', async () => createInProcessEventBus());

describe('in-process event bus: a group between two members', () => {
  it('hands a returning member what it missed before anything published after it subscribed', async () => {
    const bus = createInProcessEventBus();
    const first = await bus.subscribe({ group: 'g', handler: async () => undefined });
    await first.close();
    const missed = meetingHistory(1, 2);
    await bus.publish(missed);
    // Queued before the member returns but delivered after: it must still come after `missed`.
    const queued = meetingHistory(1, 1);
    const stillQueued = bus.publish(queued);
    const seen: StoredEvent[] = [];
    await bus.subscribe({ group: 'g', handler: async (batch) => void seen.push(...batch) });
    const later = meetingHistory(1, 1);
    await stillQueued;
    await bus.publish(later);
    expect(seen.map((e) => e.eventId)).toEqual([...missed, ...queued, ...later].map((e) => e.eventId));
    await bus.close();
  });

  it('forgets, and reports, a group that stays away past the retention bound', async () => {
    const errors: string[] = [];
    const bus = createInProcessEventBus({
      maxRetainedEvents: 3,
      onHandlerError: (group) => errors.push(group),
    });
    await (await bus.subscribe({ group: 'gone', handler: async () => undefined })).close();
    await bus.publish(meetingHistory(1, 4));
    expect(errors).toEqual(['gone']);
    const seen: StoredEvent[] = [];
    await bus.subscribe({ group: 'gone', handler: async (batch) => void seen.push(...batch) });
    const fresh = meetingHistory(1, 1);
    await bus.publish(fresh);
    expect(seen).toEqual(fresh);
    await bus.close();
  });
});

describe('in-process event bus: a group that fell behind', () => {
  it('takes what queued up meanwhile in one call, in order and within the bound, while a fast group keeps pace', async () => {
    const bus = createInProcessEventBus({ maxHandledEvents: 5 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slowCalls: string[][] = [];
    const fastCalls: string[][] = [];
    await bus.subscribe({
      group: 'slow',
      handler: async (batch) => {
        slowCalls.push(batch.map((e) => e.eventId));
        if (slowCalls.length === 1) await held;
      },
    });
    await bus.subscribe({
      group: 'fast',
      handler: async (batch) => void fastCalls.push(batch.map((e) => e.eventId)),
    });
    const batches = [meetingHistory(1, 1), ...Array.from({ length: 7 }, () => meetingHistory(1, 1))];
    const published = batches.map((b) => bus.publish(b));
    // The fast group had every event while the slow one was still on the first batch.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fastCalls.flat()).toEqual(batches.flat().map((e) => e.eventId));
    expect(slowCalls).toHaveLength(1);
    release();
    await Promise.all(published);
    // Then the seven queued batches reach the slow group in two calls of at most five events.
    expect(slowCalls.map((c) => c.length)).toEqual([1, 5, 2]);
    expect(slowCalls.flat()).toEqual(batches.flat().map((e) => e.eventId));
    await bus.close();
  });
});
