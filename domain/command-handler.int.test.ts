import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../infra/event-store/sqlite-event-store';
import { createRandomIds } from '../infra/ids/random-ids';
import { createSystemClock } from '../infra/clock/system-clock';
import { EventRejectedError, RevisionConflictError, type EventStore } from './ports/event-store';
import { createMeetingCommandHandler } from './meeting/meeting.handler';
import { as, joinCmd, settings } from './meeting/meeting.spec-helper';
import { ConferError } from './shared/errors';
import { eventually } from '../test/support/eventually';

describe('command handler over a real event store', () => {
  let dir: string;
  let store: EventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'confer-handler-'));
    store = createSqliteEventStore({ path: join(dir, 'events.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const deps = () => ({ store, ids: createRandomIds(), clock: createSystemClock() });
  const create = {
    type: 'CreateMeeting' as const,
    meetingId: 'm1',
    title: 'T',
    startTime: null,
    hostUserId: null,
    settings: settings(),
  };

  /** The store, with every stream read recorded by the revision it starts from. */
  const readsWatched = () => {
    const reads: (number | undefined)[] = [];
    const watched: EventStore = {
      ...store,
      readStream: (streamId, options) => {
        reads.push(options?.fromRevision);
        return store.readStream(streamId, options);
      },
    };
    return { reads, watched };
  };
  /** Appends to the meeting's stream as the audit checkpointer does: a type the meeting does not fold, any revision. */
  const appendCheckpointStandIn = async (eventId: string) =>
    (
      await store.append(
        'meeting-m1',
        [
          {
            eventId,
            type: 'AuditCheckpointSigned',
            schemaVersion: 1,
            data: { stand: 'in' },
            metadata: {
              meetingId: 'm1',
              occurredAt: new Date().toISOString(),
              actor: { type: 'system', reason: 'audit-checkpoint' },
              correlationId: eventId,
              causationId: eventId,
            },
          },
        ],
        { expectedRevision: 'any' },
      )
    ).events[0]!;

  it('serialises one node’s commands and keeps every chat in order', async () => {
    const handler = createMeetingCommandHandler(deps());
    await handler.handle('m1', create, { actor: { type: 'host' } });
    const join = {
      type: 'JoinMeeting' as const,
      participantId: 'a',
      displayName: 'A',
      userId: null,
      passcodeDigest: null,
      audioEnabled: true,
      videoEnabled: true,
    };
    await handler.handle('m1', join, { actor: { type: 'participant', participantId: 'a', isHost: false } });
    const actor = { actor: { type: 'participant' as const, participantId: 'a', isHost: false } };
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        handler.handle('m1', { type: 'SendChatMessage', messageId: `c${i}`, content: `m${i}` }, actor),
      ),
    );
    expect(results.map((r) => r.revision)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    const stored = await store.readStream('meeting-m1');
    expect(
      stored.filter((e) => e.type === 'ChatMessageSent').map((e) => (e.data as { content: string }).content),
    ).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    expect(stored[2]!.actor).toEqual(actor.actor);
  });

  /** The store, counting the appends it is asked for (and failing those `refuse` picks). */
  const counted = (refuse: (events: readonly { data: unknown }[]) => boolean = () => false) => {
    const calls: number[] = [];
    const wrapped: EventStore = {
      ...store,
      append: (streamId, events, options) => {
        calls.push(events.length);
        return refuse(events)
          ? Promise.reject(new EventRejectedError(new Error('refused by the test')))
          : store.append(streamId, events, options);
      },
    };
    return { store: wrapped, calls };
  };
  const asA = { actor: { type: 'participant' as const, participantId: 'a', isHost: false } };

  it('commands of one meeting that arrive together share one durable append, each answered with its own events', async () => {
    const { store: countingStore, calls } = counted();
    const handler = createMeetingCommandHandler({ ...deps(), store: countingStore });
    await handler.handle('m1', create, { actor: { type: 'host' } });
    await handler.handle('m1', joinCmd('a'), asA);
    calls.length = 0;
    // Five people of a meeting sending at once used to wait for five appends in a row.
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        handler.handle('m1', { type: 'SendChatMessage', messageId: `c${i}`, content: `m${i}` }, asA),
      ),
    );
    expect(calls).toEqual([5]);
    expect(results.map((r) => r.revision)).toEqual([2, 3, 4, 5, 6]);
    expect(results.map((r) => r.events.map((e) => (e.data as { content: string }).content))).toEqual([
      ['m0'],
      ['m1'],
      ['m2'],
      ['m3'],
      ['m4'],
    ]);
    // Each command keeps its own correlation, though they were written together.
    expect(new Set(results.map((r) => r.events[0]!.correlationId)).size).toBe(5);
    const stored = await store.readStream('meeting-m1');
    expect(stored.map((e) => e.streamRevision)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('a command that changes nothing on its group’s unwritten state is decided again once the group is written', async () => {
    const { store: countingStore, calls } = counted();
    const handler = createMeetingCommandHandler({ ...deps(), store: countingStore });
    await handler.handle('m1', create, { actor: { type: 'host' } });
    await handler.handle('m1', joinCmd('a'), asA);
    calls.length = 0;
    const [raised, again, chat] = await Promise.all([
      handler.handle('m1', { type: 'RaiseHand', participantId: 'a' }, asA),
      // On the state the first leaves, the hand is up already: nothing to do.
      handler.handle('m1', { type: 'RaiseHand', participantId: 'a' }, asA),
      handler.handle('m1', { type: 'SendChatMessage', messageId: 'c', content: 'after' }, asA),
    ]);
    expect(raised.events.map((e) => e.type)).toEqual(['HandRaised']);
    expect(again.events).toEqual([]);
    // Answered with the written state (the hand up), not the one before the group.
    expect(again.revision).toBe(2);
    expect(again.state.participants['a']?.handRaised).toBe(true);
    expect(chat.revision).toBe(3);
    // The group stopped at the no-op, which went first in the next group, with the chat.
    expect(calls).toEqual([1, 1]);
  });

  it('a group whose append is refused is split, and only the command at fault fails', async () => {
    const { store: refusing, calls } = counted((events) =>
      events.some((e) => (e.data as { content?: string }).content === 'poison'),
    );
    const handler = createMeetingCommandHandler({ ...deps(), store: refusing });
    await handler.handle('m1', create, { actor: { type: 'host' } });
    await handler.handle('m1', joinCmd('a'), asA);
    calls.length = 0;
    const outcomes = await Promise.allSettled(
      ['one', 'poison', 'three'].map((content, i) =>
        handler.handle('m1', { type: 'SendChatMessage', messageId: `c${i}`, content }, asA),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((outcomes[1] as PromiseRejectedResult).reason as ConferError).code).toBe(
      'CONFER_STORE_EVENT_REJECTED',
    );
    // Together first, then each alone.
    expect(calls).toEqual([3, 1, 1, 1]);
    const chats = (await store.readStream('meeting-m1')).filter((e) => e.type === 'ChatMessageSent');
    expect(chats.map((e) => (e.data as { content: string }).content)).toEqual(['one', 'three']);
  });

  it('a meeting that never stops writing does not hold a read of its state back', async () => {
    const handler = createMeetingCommandHandler(deps());
    await handler.handle('m1', create, { actor: { type: 'host' } });
    await handler.handle('m1', joinCmd('a'), asA);
    // Three people chatting back to back for a second: the meeting always has a command waiting.
    const stopAt = performance.now() + 1_000;
    let written = 0;
    const writers = Array.from({ length: 3 }, async (_, w) => {
      for (let i = 0; performance.now() < stopAt; i++, written++)
        await handler.handle('m1', { type: 'SendChatMessage', messageId: `w${w}-${i}`, content: '.' }, asA);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const loaded = await handler.load('m1');
    const writtenWhenRead = written;
    await Promise.all(writers);
    // Answered between two appends, while the chats went on: not after the last of them.
    expect(written).toBeGreaterThan(writtenWhenRead);
    expect(loaded.revision).toBeGreaterThan(1);
  });

  it('two nodes writing one meeting: conflicts are retried on fresh state, nothing lost', async () => {
    const nodeA = createMeetingCommandHandler(deps());
    const nodeB = createMeetingCommandHandler(deps());
    await nodeA.handle('m1', create, { actor: { type: 'host' } });
    for (const [node, id] of [
      [nodeA, 'a'],
      [nodeB, 'b'],
    ] as const) {
      await node.handle(
        'm1',
        {
          type: 'JoinMeeting',
          participantId: id,
          displayName: id,
          userId: null,
          passcodeDigest: null,
          audioEnabled: true,
          videoEnabled: true,
        },
        { actor: { type: 'participant', participantId: id, isHost: false } },
      );
    }
    // Both caches are now stale in turn; every command must still land exactly once.
    const sends = [];
    for (let i = 0; i < 20; i++) {
      const [node, id] = i % 2 === 0 ? ([nodeA, 'a'] as const) : ([nodeB, 'b'] as const);
      sends.push(
        node.handle(
          'm1',
          { type: 'SendChatMessage', messageId: `c${i}`, content: `${id}${i}` },
          { actor: { type: 'participant', participantId: id, isHost: false } },
        ),
      );
    }
    await Promise.all(sends);
    const chats = (await store.readStream('meeting-m1')).filter((e) => e.type === 'ChatMessageSent');
    expect(chats).toHaveLength(20);
    expect(new Set(chats.map((e) => (e.data as { messageId: string }).messageId)).size).toBe(20);
  });

  it('a node that keeps losing the race to another busy node still lands its command', async () => {
    const busy = createMeetingCommandHandler(deps());
    const other = createMeetingCommandHandler(deps());
    await busy.handle('m1', create, { actor: { type: 'host' } });
    const asA = { actor: { type: 'participant' as const, participantId: 'a', isHost: false } };
    await busy.handle(
      'm1',
      {
        type: 'JoinMeeting',
        participantId: 'a',
        displayName: 'a',
        userId: null,
        passcodeDigest: null,
        audioEnabled: true,
        videoEnabled: true,
      },
      asA,
    );
    // The busy node writes back to back from its warm cache (no reload between its appends) for
    // 1.5 s; the other node's command, after each lost race, must reload before it can try again.
    const stopAt = Date.now() + 1_500;
    const busyWrites = (async () => {
      let written = 0;
      for (; Date.now() < stopAt; written++) {
        await busy.handle('m1', { type: 'SendChatMessage', messageId: `busy${written}`, content: '.' }, asA);
      }
      return written;
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const landed = await other.handle(
      'm1',
      { type: 'SendChatMessage', messageId: 'other', content: 'me too' },
      asA,
    );
    expect(landed.events).toHaveLength(1);
    // The race was real: the busy node won far more than the ten tries a count-based retry allowed.
    expect(await busyWrites).toBeGreaterThan(50);
    const chats = (await store.readStream('meeting-m1')).filter((e) => e.type === 'ChatMessageSent');
    expect(chats.filter((e) => (e.data as { messageId: string }).messageId === 'other')).toHaveLength(1);
  });

  it("another writer's append (the audit checkpointer's signature) costs a read of what followed, not the whole stream", async () => {
    const { reads, watched } = readsWatched();
    const handler = createMeetingCommandHandler({ ...deps(), store: watched });
    await handler.handle('m1', create, { actor: { type: 'host' } });
    const asA = { actor: as('a') };
    await handler.handle('m1', joinCmd('a'), asA);
    for (let i = 0; i < 5; i++)
      await handler.handle('m1', { type: 'SendChatMessage', messageId: `c${i}`, content: 'hi' }, asA);
    // Someone else appends to the meeting's stream, as the checkpointer does (any revision).
    const signedAt = (await appendCheckpointStandIn('e-checkpoint')).streamRevision;
    reads.length = 0;
    const landed = await handler.handle(
      'm1',
      { type: 'SendChatMessage', messageId: 'after', content: 'hi' },
      asA,
    );
    expect(landed.events[0]!.streamRevision).toBe(signedAt + 1);
    // The lost race read only the signature, from where the cached state ended; no full reload.
    expect(reads).toEqual([signedAt]);
    // And the state it went on from is whole: the next chat needs no read at all.
    reads.length = 0;
    await handler.handle('m1', { type: 'SendChatMessage', messageId: 'next', content: 'hi' }, asA);
    expect(reads).toEqual([]);
    const chats = (await store.readStream('meeting-m1')).filter((e) => e.type === 'ChatMessageSent');
    expect(chats.map((e) => (e.data as { messageId: string }).messageId)).toEqual([
      'c0',
      'c1',
      'c2',
      'c3',
      'c4',
      'after',
      'next',
    ]);
  });

  it('invalidated, a cached meeting reads only what another node appended since; an event it does not fold seen on the bus costs no read', async () => {
    const { reads, watched } = readsWatched();
    const here = createMeetingCommandHandler({ ...deps(), store: watched });
    const there = createMeetingCommandHandler(deps());
    await here.handle('m1', create, { actor: { type: 'host' } });
    await here.handle('m1', joinCmd('a'), { actor: as('a') });
    const cachedAt = (await here.load('m1')).revision;
    // Another node lets b in; this node is told its state may be behind.
    await there.handle('m1', joinCmd('b'), { actor: as('b') });
    reads.length = 0;
    here.invalidate('m1');
    const { state, revision } = await here.load('m1');
    expect(state.participants['b']?.status).toBe('joined');
    expect(revision).toBe(cachedAt + 1);
    expect(reads).toEqual([cachedAt + 1]);
    // Caught up, it is whole again: the next load reads nothing.
    reads.length = 0;
    await here.load('m1');
    expect(reads).toEqual([]);

    // A signed checkpoint comes back on the bus: only the revision moves; the next chat needs no read.
    const checkpoint = await appendCheckpointStandIn('e-checkpoint-2');
    here.observe([checkpoint]);
    expect(here.peek('m1')?.revision).toBe(checkpoint.streamRevision);
    const landed = await here.handle(
      'm1',
      { type: 'SendChatMessage', messageId: 'x', content: 'hi' },
      { actor: as('a') },
    );
    expect(landed.events[0]!.streamRevision).toBe(checkpoint.streamRevision + 1);
    expect(reads).toEqual([]);
  });

  it('its own events, seen on the bus before their append settles, take the state it decided rather than being evolved again', async () => {
    /** The state cached right after each append's events were observed, before the append settles. */
    const seen: unknown[] = [];
    const echoing: EventStore = {
      ...store,
      // The bus delivers a landed append's events before the command handler has its result back.
      append: async (streamId, events, options) => {
        const result = await store.append(streamId, events, options);
        here.observe(result.events);
        seen.push(here.peek('m1')?.state);
        return result;
      },
    };
    const here = createMeetingCommandHandler({ ...deps(), store: echoing });
    await here.handle('m1', create, { actor: { type: 'host' } });
    const joined = await here.handle('m1', joinCmd('a'), { actor: as('a') });
    // The very state the command was decided to, not an equal one evolved again from the event.
    expect(seen.at(-1)).toBe(joined.state);
    const chats = await Promise.all(
      ['one', 'two', 'three'].map((content, i) =>
        here.handle('m1', { type: 'SendChatMessage', messageId: `c${i}`, content }, { actor: as('a') }),
      ),
    );
    expect(seen.at(-1)).toBe(chats.at(-1)!.state);
    // And it is the state a reload from the store gives.
    const reloaded = await createMeetingCommandHandler(deps()).load('m1');
    expect(here.peek('m1')).toEqual({ state: reloaded.state, revision: reloaded.revision });
    expect(reloaded.state.chatCount).toBe(3);
  });

  it('a stream that stays contended past the budget is refused with CONFER_COMMAND_CONTENDED, nothing appended', async () => {
    await createMeetingCommandHandler(deps()).handle('m1', create, { actor: { type: 'host' } });
    let tries = 0;
    const alwaysBeaten: EventStore = {
      ...store,
      append: (streamId) => {
        tries++;
        return Promise.reject(new RevisionConflictError(streamId, 0, 1));
      },
    };
    const handler = createMeetingCommandHandler({ ...deps(), store: alwaysBeaten, contentionBudgetMs: 300 });
    const started = performance.now();
    const error = await handler
      .handle('m1', { type: 'EndMeeting' }, { actor: { type: 'host' } })
      .catch((e: unknown) => e);
    expect((error as ConferError).code).toBe('CONFER_COMMAND_CONTENDED');
    // Within its own budget, not the default five seconds.
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(tries).toBeGreaterThan(3);
    expect(await store.readStream('meeting-m1')).toHaveLength(1);
  });

  /** The store, recording what each append asks for and, while `hold` is on, answering only when let through. */
  const gated = () => {
    const asked: { contents: string[]; expectedRevision: unknown; expectedLastEventId?: string }[] = [];
    const gates: (() => void)[] = [];
    const control = { hold: false, asked, release: () => gates.splice(0).forEach((open) => open()) };
    const wrapped: EventStore = {
      ...store,
      append: (streamId, events, options) => {
        asked.push({
          contents: events.map((e) => (e.data as { content?: string }).content ?? e.type),
          expectedRevision: options.expectedRevision,
          ...(options.expectedLastEventId && { expectedLastEventId: options.expectedLastEventId }),
        });
        // Handed to the real store at once (in the order it was given), answered when let through.
        const appended = store.append(streamId, events, options);
        if (!control.hold) return appended;
        appended.catch(() => undefined); // answered (refusals too) when let through
        return new Promise<void>((resolve) => gates.push(resolve)).then(() => appended);
      },
    };
    return { store: wrapped, control };
  };
  const chat = (messageId: string, content: string) =>
    ({ type: 'SendChatMessage', messageId, content }) as const;

  it('hands a meeting’s next group to the store while the one before is being written, chained to it', async () => {
    const { store: gatedStore, control } = gated();
    const handler = createMeetingCommandHandler({ ...deps(), store: gatedStore });
    await handler.handle('m1', create, { actor: { type: 'host' } });
    await handler.handle('m1', joinCmd('a'), asA);
    control.asked.length = 0;
    control.hold = true;
    const first = handler.handle('m1', chat('c1', 'one'), asA);
    await eventually('the first append', () => control.asked.length === 1);
    // Sent while the first is on its way: decided on the state it leaves, not held until it lands.
    const second = handler.handle('m1', chat('c2', 'two'), asA);
    await eventually('the second append, the first unanswered', () => control.asked.length === 2);
    expect(control.asked.map((a) => a.expectedRevision)).toEqual([1, 2]);
    expect(control.asked[0]!.expectedLastEventId).toBeUndefined();
    control.release();
    const [one, two] = await Promise.all([first, second]);
    expect(control.asked[1]!.expectedLastEventId).toBe(one.events[0]!.eventId);
    expect([one.revision, two.revision]).toEqual([2, 3]);
    expect(two.state.chatCount).toBe(2);
  });

  it('a pipelined group whose predecessor lost its race is decided again behind it: nothing lost, nothing twice, order kept', async () => {
    const { store: gatedStore, control } = gated();
    const handler = createMeetingCommandHandler({ ...deps(), store: gatedStore });
    await handler.handle('m1', create, { actor: { type: 'host' } });
    await handler.handle('m1', joinCmd('a'), asA);
    // The checkpointer signs the meeting first: the next chat's expected revision is stale.
    await appendCheckpointStandIn('e-checkpoint-3');
    control.asked.length = 0;
    control.hold = true;
    const first = handler.handle('m1', chat('c1', 'one'), asA);
    await eventually('the first append', () => control.asked.length === 1);
    const second = handler.handle('m1', chat('c2', 'two'), asA);
    await eventually('the second append, chained to the first', () => control.asked.length === 2);
    control.hold = false;
    control.release();
    const [one, two] = await Promise.all([first, second]);
    // Both refused (the second only because the first was), then both again, together, in order.
    expect(control.asked.map((a) => a.contents)).toEqual([['one'], ['two'], ['one', 'two']]);
    expect([one.revision, two.revision]).toEqual([3, 4]);
    const stored = await store.readStream('meeting-m1');
    expect(stored.map((e) => (e.data as { content?: string }).content ?? e.type)).toEqual([
      'MeetingCreated',
      'ParticipantJoined',
      'AuditCheckpointSigned',
      'one',
      'two',
    ]);
  });

  it('rejects a broken rule with a coded error and appends nothing', async () => {
    const handler = createMeetingCommandHandler(deps());
    await handler.handle('m1', create, { actor: { type: 'host' } });
    const error = await handler
      .handle(
        'm1',
        { type: 'EndMeeting' },
        { actor: { type: 'participant', participantId: 'x', isHost: false } },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConferError);
    expect((error as ConferError).code).toBe('CONFER_FORBIDDEN');
    expect(await store.readStream('meeting-m1')).toHaveLength(1);
  });
});
