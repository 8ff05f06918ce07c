import { describe, expect, it } from 'vitest';
import type { EventToAppend } from '../../../domain/shared/envelope';
import { shareHiddenClass } from '../../../test/support/hidden-class';
import { appendResultOf } from './written-events';

const toAppend = (eventId: string): EventToAppend => ({
  eventId,
  type: 'ChatMessageSent',
  schemaVersion: 1,
  data: { messageId: eventId, senderId: 'p_a', senderName: 'Ada', content: 'hello' },
  metadata: {
    meetingId: 'm1',
    occurredAt: '2026-12-06T12:00:00.000Z',
    actor: { type: 'participant', participantId: 'p_a', isHost: false },
    correlationId: 'c1',
    causationId: 'c1',
  },
});

describe('appendResultOf', () => {
  it('builds each stored event from what was sent and what the writer answered', () => {
    const result = appendResultOf('meeting-m1', [toAppend('e1'), toAppend('e2')], {
      firstRevision: 4,
      positions: [10, 11],
      prevHash: 'h3',
      hashes: ['h4', 'h5'],
      nextExpectedRevision: 5,
      lastPosition: 11,
    });
    expect(result.nextExpectedRevision).toBe(5);
    expect(result.lastPosition).toBe(11);
    expect(
      result.events.map((e) => [e.eventId, e.streamRevision, e.globalPosition, e.prevHash, e.hash]),
    ).toEqual([
      ['e1', 4, 10, 'h3', 'h4'],
      ['e2', 5, 11, 'h4', 'h5'],
    ]);
    expect(result.events[0]).toMatchObject({ streamId: 'meeting-m1', meetingId: 'm1', correlationId: 'c1' });
  });

  it('gives every stored event one hidden class (a spread with added keys gave each its own)', () => {
    const written = (first: number) => ({
      firstRevision: first,
      positions: [first + 100],
      prevHash: 'p',
      hashes: ['h'],
      nextExpectedRevision: first,
      lastPosition: first + 100,
    });
    // V8 gave the first few the shared class and only then one each: build enough to see it.
    const events = Array.from(
      { length: 50 },
      (_, i) => appendResultOf('meeting-m1', [toAppend(`e${i}`)], written(i)).events[0]!,
    );
    const apart = events.slice(1).filter((event, i) => !shareHiddenClass(events[i]!, event));
    expect(apart).toHaveLength(0);
  });
});
