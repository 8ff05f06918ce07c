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
