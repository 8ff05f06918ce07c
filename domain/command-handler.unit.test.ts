import { describe, expect, it } from 'vitest';
import { shareHiddenClass } from '../test/support/hidden-class';
import { recorded } from './command-handler';

describe('recorded', () => {
  it('is the event with when it happened and its revision', () => {
    const event = { type: 'ChatMessageSent', data: { content: 'hi' } };
    expect(recorded(event, '2026-12-06T12:00:00.000Z', 7)).toEqual({
      type: 'ChatMessageSent',
      data: { content: 'hi' },
      occurredAt: '2026-12-06T12:00:00.000Z',
      streamRevision: 7,
    });
    expect(event).toEqual({ type: 'ChatMessageSent', data: { content: 'hi' } });
  });

  it('gives every recorded event one hidden class (a spread with added keys gave each its own)', () => {
    const events = Array.from({ length: 50 }, (_, i) =>
      recorded({ type: 'ChatMessageSent', data: { content: `m${i}` } }, '2026-12-06T12:00:00.000Z', i),
    );
    const apart = events.slice(1).filter((event, i) => !shareHiddenClass(events[i]!, event));
    expect(apart).toHaveLength(0);
  });
});
