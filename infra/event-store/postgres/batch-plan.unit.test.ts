import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RevisionConflictError } from '../../../domain/ports/event-store';
import type { StoredEvent } from '../../../domain/shared/envelope';
import { ConferError } from '../../../domain/shared/errors';
import { newEvent } from '../../../test/contracts/event-store.contract';
import { GENESIS_HASH, firstBrokenLink } from '../hash-chain';
import { assignPositions, planBatch, type AppendRequest, type StreamHead } from './batch-plan';

const meeting = randomUUID();
const stream = `meeting-${meeting}`;
const noStreams = new Map<string, StreamHead>();
const noEvents = new Map<string, StoredEvent>();

/** Plans, then assigns positions from `head` + 1 as the writer does. */
function plan(
  requests: AppendRequest[],
  streams: ReadonlyMap<string, StreamHead> = noStreams,
  existing: ReadonlyMap<string, StoredEvent> = noEvents,
  head = 0,
) {
  const batch = planBatch(requests, streams, existing);
  assignPositions(
    batch,
    batch.newEvents.map((_, i) => head + 1 + i),
  );
  return { batch, outcomes: batch.outcomes() };
}

const ok = (outcome: unknown) => {
  if (typeof outcome !== 'object' || outcome === null || !('ok' in outcome)) {
    throw new Error(`expected success, got ${JSON.stringify(outcome)}`);
  }
  return (outcome as { ok: { events: StoredEvent[]; nextExpectedRevision: number; lastPosition: number } })
    .ok;
};
const failure = (outcome: unknown): unknown => (outcome as { error: unknown }).error;
/** The stream's stored head at `revision`. */
const headAt = (revision: number) => new Map([[stream, { revision, lastHash: 'a'.repeat(64) }]]);

describe('planBatch', () => {
  it('given a new stream, when two appends follow each other in one batch, then the second continues the first', () => {
    const { batch, outcomes } = plan([
      { streamId: stream, events: [newEvent(meeting), newEvent(meeting)], expected: 'no_stream' },
      { streamId: stream, events: [newEvent(meeting)], expected: 1 },
    ]);
    const events = [...ok(outcomes[0]).events, ...ok(outcomes[1]).events];
    expect(events.map((e) => e.streamRevision)).toEqual([0, 1, 2]);
    expect(events.map((e) => e.globalPosition)).toEqual([1, 2, 3]);
    expect(events[0]!.prevHash).toBe(GENESIS_HASH);
    expect(firstBrokenLink(events)).toBeNull();
    expect(batch.heads.get(stream)).toEqual({ revision: 2, lastHash: events[2]!.hash });
    expect(ok(outcomes[1]).lastPosition).toBe(3);
  });

  it('given a stored head, when appending, then revisions and the hash chain continue from it', () => {
    const head = { revision: 4, lastHash: 'a'.repeat(64) };
    const { outcomes } = plan(
      [{ streamId: stream, events: [newEvent(meeting)], expected: 4 }],
      new Map([[stream, head]]),
      noEvents,
      100,
    );
    const [event] = ok(outcomes[0]).events;
    expect(event).toMatchObject({ streamRevision: 5, prevHash: head.lastHash, globalPosition: 101 });
  });

  it('when an append was decided after another (pipelined), then it lands only on that one', () => {
    const first = newEvent(meeting);
    const refused = newEvent(meeting);
    const { batch, outcomes } = plan([
      { streamId: stream, events: [first], expected: 'no_stream' },
      // Decided after `first`, in the same batch: lands on it.
      { streamId: stream, events: [newEvent(meeting)], expected: 0, expectedLastEventId: first.eventId },
      // Stale: refused, so the append decided after it must not pass for it...
      { streamId: stream, events: [refused], expected: 0 },
      // ...even though another append left the stream at the revision it expects.
      { streamId: stream, events: [newEvent(meeting)], expected: 1 },
      { streamId: stream, events: [newEvent(meeting)], expected: 2, expectedLastEventId: refused.eventId },
    ]);
    expect(ok(outcomes[1]).events[0]!.streamRevision).toBe(1);
    expect(failure(outcomes[2])).toBeInstanceOf(RevisionConflictError);
    expect(ok(outcomes[3]).events[0]!.streamRevision).toBe(2);
    expect(failure(outcomes[4])).toBeInstanceOf(RevisionConflictError);
    expect((failure(outcomes[4]) as RevisionConflictError).actual).toBe(2);
    expect(batch.newEvents).toHaveLength(3);
  });

  it('given a stored event, when an append was decided after it, then it lands only while it is the head', () => {
    const stored: StoredEvent = {
      ...ok(plan([{ streamId: stream, events: [newEvent(meeting)], expected: 3 }], headAt(3)).outcomes[0])
        .events[0]!,
    };
    const existing = new Map([[stored.eventId, stored]]);
    const onIt = {
      streamId: stream,
      events: [newEvent(meeting)],
      expected: 4,
      expectedLastEventId: stored.eventId,
    };
    expect(ok(plan([onIt], headAt(4), existing).outcomes[0]).events[0]!.streamRevision).toBe(5);
    // The stream moved past it (or the id is on another stream, or unknown): a conflict.
    expect(failure(plan([{ ...onIt, expected: 'any' }], headAt(5), existing).outcomes[0])).toBeInstanceOf(
      RevisionConflictError,
    );
    expect(
      failure(plan([{ ...onIt, expectedLastEventId: randomUUID() }], headAt(4), existing).outcomes[0]),
    ).toBeInstanceOf(RevisionConflictError);
    const elsewhere = { ...onIt, streamId: `meeting-${randomUUID()}` };
    expect(
      failure(
        plan(
          [elsewhere],
          new Map([[elsewhere.streamId, { revision: 4, lastHash: 'b'.repeat(64) }]]),
          existing,
        ).outcomes[0],
      ),
    ).toBeInstanceOf(RevisionConflictError);
  });

  it('when one request is stale, then it fails alone and writes nothing', () => {
    const other = randomUUID();
    const { batch, outcomes } = plan([
      { streamId: stream, events: [newEvent(meeting)], expected: 3 },
      { streamId: `meeting-${other}`, events: [newEvent(other)], expected: 'no_stream' },
    ]);
    expect(failure(outcomes[0])).toBeInstanceOf(RevisionConflictError);
    expect((failure(outcomes[0]) as RevisionConflictError).actual).toBe('no_stream');
    expect(ok(outcomes[1]).events[0]!.globalPosition).toBe(1);
    expect(batch.newEvents).toHaveLength(1);
  });

  it('when a retry of the same events arrives in the same batch, then it is answered like the first', () => {
    const events = [newEvent(meeting), newEvent(meeting)];
    const { batch, outcomes } = plan([
      { streamId: stream, events, expected: 'no_stream' },
      { streamId: stream, events, expected: 'no_stream' },
    ]);
    expect(ok(outcomes[1])).toEqual(ok(outcomes[0]));
    expect(batch.newEvents).toHaveLength(2);
  });

  it('given stored events, when they are appended again, then the stored ones are returned and nothing is written', () => {
    const first = plan([{ streamId: stream, events: [newEvent(meeting)], expected: 'no_stream' }]);
    const stored = ok(first.outcomes[0]).events[0]!;
    const again = plan(
      [
        {
          streamId: stream,
          events: [newEvent(meeting)].map((e) => ({ ...e, eventId: stored.eventId })),
          expected: 'no_stream',
        },
      ],
      new Map([[stream, { revision: 0, lastHash: stored.hash }]]),
      new Map([[stored.eventId, stored]]),
    );
    expect(ok(again.outcomes[0]).events).toEqual([stored]);
    expect(again.batch.newEvents).toHaveLength(0);
  });

  it('when stored event ids are reused on another stream, or only in part, then it is a conflict', () => {
    const first = plan([{ streamId: stream, events: [newEvent(meeting)], expected: 'no_stream' }]);
    const stored = ok(first.outcomes[0]).events[0]!;
    const existing = new Map([[stored.eventId, stored]]);
    const reused = { ...newEvent(meeting), eventId: stored.eventId };
    const other = `meeting-${randomUUID()}`;
    const { outcomes } = plan(
      [
        { streamId: other, events: [reused], expected: 'any' },
        { streamId: stream, events: [newEvent(meeting), reused], expected: 'any' },
      ],
      new Map([[stream, { revision: 0, lastHash: stored.hash }]]),
      existing,
    );
    expect(failure(outcomes[0])).toBeInstanceOf(RevisionConflictError);
    expect(failure(outcomes[1])).toBeInstanceOf(RevisionConflictError);
  });

  it('when an append lists one id twice or its data is not JSON, then it is refused as invalid, alone', () => {
    const twice = newEvent(meeting);
    const { outcomes } = plan([
      { streamId: stream, events: [twice, twice], expected: 'any' },
      { streamId: stream, events: [newEvent(meeting, 'X', { big: 10n })], expected: 'any' },
      { streamId: stream, events: [newEvent(meeting)], expected: 'no_stream' },
    ]);
    for (const refused of [failure(outcomes[0]), failure(outcomes[1])]) {
      expect(refused).toBeInstanceOf(ConferError);
      expect((refused as ConferError).code).toBe('CONFER_VALIDATION_FAILED');
    }
    expect(ok(outcomes[2]).events[0]!.streamRevision).toBe(0);
  });

  it('hashes the data as readers will parse it back from JSON', () => {
    const data = { kept: 1, dropped: undefined, when: new Date('2024-01-02T03:04:05.000Z') };
    const { batch, outcomes } = plan([
      { streamId: stream, events: [newEvent(meeting, 'X', data)], expected: 'no_stream' },
    ]);
    const [event] = ok(outcomes[0]).events;
    expect(event!.data).toEqual({ kept: 1, when: '2024-01-02T03:04:05.000Z' });
    const readBack = { ...event!, data: JSON.parse(batch.newEvents[0]!.dataJson) as unknown };
    expect(firstBrokenLink([readBack])).toBeNull();
  });
});
