import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../domain/shared/envelope';
import { createMeetingEventsController } from './meeting-events.controller';

const stored = (type: string, data: unknown, n: number): StoredEvent =>
  ({
    eventId: `e-${n}`,
    type,
    schemaVersion: 1,
    data,
    meetingId: 'm-1',
    streamId: 'meeting-m-1',
    streamRevision: n,
    globalPosition: n,
    occurredAt: '2026-12-04T20:00:00.000Z',
    metadata: {
      meetingId: 'm-1',
      occurredAt: '2026-12-04T20:00:00.000Z',
      actor: { type: 'system', reason: 'test' },
      correlationId: 'c',
      causationId: 'c',
    },
    hash: 'h',
    previousHash: 'p',
  }) as unknown as StoredEvent;

describe("the SFU's meeting events controller", () => {
  it('parses only the events it acts on: a chat is passed over, a malformed media event is reported', async () => {
    const errors: unknown[] = [];
    const logger = { error: (details: unknown) => void errors.push(details) } as never;
    const controller = createMeetingEventsController({
      logger,
      nodeId: 'node-a',
      room: () => undefined,
      closeRoom: () => undefined,
    });
    // Neither would pass its schema: only the one the SFU acts on is looked at.
    await controller.handle([stored('ChatMessageSent', { nonsense: true }, 1)]);
    expect(errors).toEqual([]);
    await controller.handle([stored('MediaStateChanged', { nonsense: true }, 2)]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ type: 'MediaStateChanged', eventId: 'e-2' });
  });
});
