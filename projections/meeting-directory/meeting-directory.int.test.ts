import { describe, expect, it } from 'vitest';
import { projectionSpecWorlds } from '../../test/support/projection-spec-worlds';
import { allProjections } from '../index';
import { createProjectionRunner, ProjectionFailedError, type Projection } from '../projection';
import { actors, createMeeting, join, storedEvent } from '../projection.spec-helper';
import { getMeeting, listMeetings } from './meeting-directory.queries';

const { backends, given } = projectionSpecWorlds('directory');

const { participant, host } = actors;

describe.each(backends)('meeting directory on $name', (backend) => {
  it('shows a created meeting with its settings, and only whether a passcode is needed', async () => {
    const world = await given(backend);
    const [createdEvent] = await world.command(
      'm1',
      createMeeting('m1', {
        title: 'Planning',
        hostUserId: 'user-7',
        settings: {
          waitingRoom: true,
          muteOnEntry: true,
          maxParticipants: 12,
          passcodeDigest: 'secret-digest',
        },
      }),
      host,
    );
    await world.project();

    const meeting = await getMeeting(world.store, 'm1');
    expect(meeting).toEqual({
      meetingId: 'm1',
      title: 'Planning',
      hostUserId: 'user-7',
      status: 'active',
      startTime: null,
      createdAt: createdEvent!.occurredAt,
      endedAt: null,
      settings: {
        muteOnEntry: true,
        videoOffOnEntry: false,
        waitingRoom: true,
        maxParticipants: 12,
        passcodeRequired: true,
      },
      participantCount: 0,
      peakParticipants: 0,
      chatCount: 0,
    });
    const raw = await world.store.scan('meetings', { limit: 10 });
    expect(JSON.stringify(raw)).not.toContain('secret-digest');
  });

  it('counts participants joined right now, and the peak', async () => {
    const world = await given(backend);
    await world.command('m1', createMeeting('m1'), host);
    for (const p of ['ann', 'bob', 'cid']) await world.command('m1', join(p), participant(p));
    await world.command(
      'm1',
      { type: 'LeaveMeeting', participantId: 'bob', reason: 'left' },
      participant('bob'),
    );
    await world.command('m1', { type: 'RemoveParticipant', participantId: 'cid' }, host);
    await world.command('m1', join('dan'), participant('dan'));
    await world.project();

    const meeting = await getMeeting(world.store, 'm1');
    expect(meeting?.participantCount).toBe(2);
    expect(meeting?.peakParticipants).toBe(3);
  });

  it('never counts a participant who only waited, was denied, left or was removed from the waiting room', async () => {
    const world = await given(backend);
    await world.command('m1', createMeeting('m1', { settings: { waitingRoom: true } }), host);
    for (const p of ['ann', 'bob', 'cid', 'dan']) await world.command('m1', join(p), participant(p));
    // cid counts first, so that a wrong decrement below would show (the count cannot go below 0).
    await world.command('m1', { type: 'AdmitParticipant', participantId: 'cid' }, host);
    await world.command(
      'm1',
      { type: 'LeaveMeeting', participantId: 'ann', reason: 'left' },
      participant('ann'),
    );
    await world.command('m1', { type: 'DenyParticipant', participantId: 'bob' }, host);
    await world.command('m1', { type: 'RemoveParticipant', participantId: 'dan' }, host);
    await world.project();

    const types = (await world.history()).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['ParticipantLeft', 'ParticipantDenied', 'ParticipantRemoved']),
    );
    const meeting = await getMeeting(world.store, 'm1');
    expect(meeting?.participantCount).toBe(1);
    expect(meeting?.peakParticipants).toBe(1);
  });

  it('counts chat messages', async () => {
    const world = await given(backend);
    await world.command('m1', createMeeting('m1'), host);
    await world.command('m1', join('ann'), participant('ann'));
    for (let i = 0; i < 4; i++) {
      await world.command(
        'm1',
        { type: 'SendChatMessage', messageId: `c${i}`, content: 'hi' },
        participant('ann'),
      );
    }
    await world.project();
    expect((await getMeeting(world.store, 'm1'))?.chatCount).toBe(4);
  });

  it('counts a batch’s chats once, beside joins, leaves and the end, when the batch is rolled back and redone', async () => {
    const world = await given(backend);
    const chat = (i: number) => ({ type: 'SendChatMessage' as const, messageId: `c${i}`, content: 'hi' });
    await world.command('m1', createMeeting('m1'), host);
    await world.command('m1', join('ann'), participant('ann'));
    await world.command('m1', chat(0), participant('ann'));
    const firstBatch = await world.history();
    await world.command('m1', join('bob'), participant('bob'));
    for (let i = 1; i <= 3; i++) await world.command('m1', chat(i), participant('ann'));
    await world.command(
      'm1',
      { type: 'LeaveMeeting', participantId: 'bob', reason: 'left' },
      participant('bob'),
    );
    for (let i = 4; i <= 5; i++) await world.command('m1', chat(i), participant('ann'));
    await world.command('m1', { type: 'EndMeeting' }, host);
    const secondBatch = (await world.history()).slice(firstBatch.length);

    // After the directory in the batch, a projection that fails the batch's last event once.
    const fault = { on: true };
    const tripwire: Projection = {
      name: 'tripwire',
      version: 1,
      collections: ['tripwire'],
      async apply(event) {
        if (fault.on && event.eventId === secondBatch.at(-1)!.eventId) throw new Error('tripped');
      },
    };
    const runner = createProjectionRunner({
      store: world.store,
      projections: [...allProjections(), tripwire],
    });
    await runner.handle(firstBatch);
    expect(await getMeeting(world.store, 'm1')).toMatchObject({ chatCount: 1, participantCount: 1 });

    await expect(runner.handle(secondBatch)).rejects.toBeInstanceOf(ProjectionFailedError);
    expect(await getMeeting(world.store, 'm1')).toMatchObject({ status: 'active', chatCount: 1 });

    fault.on = false;
    await runner.handle(secondBatch);
    await runner.handle(secondBatch); // redelivered: nothing counts twice
    expect(await getMeeting(world.store, 'm1')).toMatchObject({
      status: 'ended',
      chatCount: 6,
      participantCount: 0,
      peakParticipants: 2,
    });
  });

  it('marks an ended meeting, empties it and records when it ended', async () => {
    const world = await given(backend);
    await world.command('m1', createMeeting('m1'), host);
    await world.command('m1', join('ann'), participant('ann'));
    await world.command('m1', join('bob'), participant('bob'));
    const ending = await world.command('m1', { type: 'EndMeeting' }, host);
    await world.project();

    const meeting = await getMeeting(world.store, 'm1');
    expect(meeting).toMatchObject({
      status: 'ended',
      endedAt: ending[ending.length - 1]!.occurredAt,
      participantCount: 0,
      peakParticipants: 2,
    });
  });

  it('lists meetings newest first, by status, a page at a time', async () => {
    const world = await given(backend);
    for (const id of ['a', 'b', 'c', 'd', 'e']) await world.command(id, createMeeting(id), host);
    await world.command('b', { type: 'EndMeeting' }, host);
    await world.command('d', { type: 'EndMeeting' }, host);
    await world.project();
    const ids = (page: { meetings: { meetingId: string }[] }) => page.meetings.map((m) => m.meetingId);

    const all = await listMeetings(world.store, { limit: 10 });
    expect(ids(all)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(all.nextCursor).toBeNull();
    expect(ids(await listMeetings(world.store, { status: 'active', limit: 10 }))).toEqual(['e', 'c', 'a']);
    expect(ids(await listMeetings(world.store, { status: 'ended', limit: 10 }))).toEqual(['d', 'b']);

    const first = await listMeetings(world.store, { limit: 2 });
    expect(ids(first)).toEqual(['e', 'd']);
    const second = await listMeetings(world.store, { limit: 2, cursor: first.nextCursor! });
    expect(ids(second)).toEqual(['c', 'b']);
    const third = await listMeetings(world.store, { limit: 2, cursor: second.nextCursor! });
    expect(ids(third)).toEqual(['a']);
    expect(third.nextCursor).toBeNull();

    const activeFirst = await listMeetings(world.store, { status: 'active', limit: 2 });
    expect(ids(activeFirst)).toEqual(['e', 'c']);
    const activeRest = await listMeetings(world.store, {
      status: 'active',
      limit: 2,
      cursor: activeFirst.nextCursor!,
    });
    expect(ids(activeRest)).toEqual(['a']);
  });

  it('knows no meeting it never saw created, and ignores events of unknown types', async () => {
    const world = await given(backend);
    await world.runner.handle([
      storedEvent({
        meetingId: 'ghost',
        streamRevision: 3,
        globalPosition: 1,
        type: 'ChatMessageSent',
        data: {
          messageId: 'x',
          senderId: 'p',
          senderName: 'P',
          content: 'hello?',
        },
      }),
      storedEvent({
        meetingId: 'ghost',
        streamRevision: 4,
        globalPosition: 2,
        type: 'WhiteboardOpened',
        data: {},
      }),
    ]);
    expect(await getMeeting(world.store, 'ghost')).toBeUndefined();
    expect((await listMeetings(world.store, { limit: 10 })).meetings).toEqual([]);
  });

  it('refuses a page size below one', async () => {
    const world = await given(backend);
    await expect(listMeetings(world.store, { limit: 0 })).rejects.toThrow(RangeError);
  });
});
