import { describe, expect, it } from 'vitest';
import { projectionSpecWorlds } from '../../test/support/projection-spec-worlds';
import { actors, createMeeting, join, type ProjectionSpecWorld } from '../projection.spec-helper';
import { chatPage } from './chat-history.queries';

const { backends, given } = projectionSpecWorlds('chat');

const { participant, host } = actors;

/** A meeting where ann and bob take turns to send `count` messages: "1", "2", … */
async function givenConversation(world: ProjectionSpecWorld, meetingId: string, count: number) {
  await world.command(meetingId, createMeeting(meetingId), host);
  await world.command(meetingId, join('ann', 'Ann'), participant('ann'));
  await world.command(meetingId, join('bob', 'Bob'), participant('bob'));
  for (let i = 1; i <= count; i++) {
    const sender = i % 2 ? 'ann' : 'bob';
    await world.command(
      meetingId,
      { type: 'SendChatMessage', messageId: `${meetingId}-msg-${i}`, content: `${i}` },
      participant(sender),
    );
  }
}

const contents = (page: { messages: { content: string }[] }) => page.messages.map((m) => m.content);

describe.each(backends)('chat history on $name', (backend) => {
  it('records each message with its sender, place in the meeting and time', async () => {
    const world = await given(backend);
    await givenConversation(world, 'm1', 2);
    await world.project();
    const sent = (await world.history()).filter((e) => e.type === 'ChatMessageSent');

    const page = await chatPage(world.store, 'm1', { limit: 10 });
    expect(page).toEqual({
      messages: [
        {
          messageId: 'm1-msg-1',
          seq: sent[0]!.streamRevision,
          senderId: 'ann',
          senderName: 'Ann',
          content: '1',
          timestamp: sent[0]!.occurredAt,
        },
        {
          messageId: 'm1-msg-2',
          seq: sent[1]!.streamRevision,
          senderId: 'bob',
          senderName: 'Bob',
          content: '2',
          timestamp: sent[1]!.occurredAt,
        },
      ],
      nextBefore: null,
    });
  });

  it('pages backwards from the newest, each page in reading order', async () => {
    const world = await given(backend);
    await givenConversation(world, 'm1', 7);
    await world.project();

    const newest = await chatPage(world.store, 'm1', { limit: 3 });
    expect(contents(newest)).toEqual(['5', '6', '7']);
    expect(newest.nextBefore).toBe(newest.messages[0]!.seq);
    const older = await chatPage(world.store, 'm1', { limit: 3, before: newest.nextBefore! });
    expect(contents(older)).toEqual(['2', '3', '4']);
    const oldest = await chatPage(world.store, 'm1', { limit: 3, before: older.nextBefore! });
    expect(contents(oldest)).toEqual(['1']);
    expect(oldest.nextBefore).toBeNull();
  });

  it('ends paging exactly when the last page is full', async () => {
    const world = await given(backend);
    await givenConversation(world, 'm1', 6);
    await world.project();
    const newest = await chatPage(world.store, 'm1', { limit: 3 });
    const older = await chatPage(world.store, 'm1', { limit: 3, before: newest.nextBefore! });
    expect(contents(older)).toEqual(['1', '2', '3']);
    expect(older.nextBefore).toBeNull();
  });

  it('orders by place in the stream past ten, a hundred… (keys sort as numbers)', async () => {
    const world = await given(backend);
    await givenConversation(world, 'm1', 12);
    await world.project();
    expect(contents(await chatPage(world.store, 'm1', { limit: 4 }))).toEqual(['9', '10', '11', '12']);
  });

  it('keeps meetings apart', async () => {
    const world = await given(backend);
    await givenConversation(world, 'm1', 2);
    await givenConversation(world, 'm2', 3);
    await world.project();
    expect(contents(await chatPage(world.store, 'm1', { limit: 10 }))).toEqual(['1', '2']);
    expect(contents(await chatPage(world.store, 'm2', { limit: 10 }))).toEqual(['1', '2', '3']);
    expect(await chatPage(world.store, 'm3', { limit: 10 })).toEqual({ messages: [], nextBefore: null });
  });

  it('refuses a page size below one and a cursor that is not a revision', async () => {
    const world = await given(backend);
    await expect(chatPage(world.store, 'm1', { limit: 0 })).rejects.toThrow(RangeError);
    await expect(chatPage(world.store, 'm1', { limit: 5, before: 2.5 })).rejects.toThrow(RangeError);
  });
});
