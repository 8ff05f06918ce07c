import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMeetingCommandHandler } from '../../domain/meeting/meeting.handler';
import { settings } from '../../domain/meeting/meeting.spec-helper';
import type { EventStore } from '../../domain/ports/event-store';
import { createSystemClock } from '../../infra/clock/system-clock';
import { createSqliteEventStore } from '../../infra/event-store/sqlite-event-store';
import { createRandomIds } from '../../infra/ids/random-ids';

/**
 * Two nodes' command handlers over one event store, each caching the meeting's state. An append
 * is guarded by its expected revision, but a no-op or a refusal appends nothing: decided on a
 * cache that missed the other node's writes, it would be answered wrongly and never noticed (the
 * two-node socket test saw a host's "lower hand" acknowledged and nothing happen).
 */
describe('a command decided on a cache another node has written past', () => {
  let dir: string;
  let store: EventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'confer-stale-cache-'));
    store = createSqliteEventStore({ path: join(dir, 'events.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const node = () =>
    createMeetingCommandHandler({ store, ids: createRandomIds(), clock: createSystemClock() });
  const participant = (participantId: string) => ({
    actor: { type: 'participant' as const, participantId, isHost: false },
  });
  const joinMeeting = (participantId: string) => ({
    type: 'JoinMeeting' as const,
    participantId,
    displayName: participantId,
    userId: null,
    passcodeDigest: null,
    audioEnabled: true,
    videoEnabled: true,
  });

  async function meetingCachedOnBoth() {
    const a = node();
    const b = node();
    await a.handle(
      'm1',
      {
        type: 'CreateMeeting',
        meetingId: 'm1',
        title: 'T',
        startTime: null,
        hostUserId: null,
        settings: settings(),
      },
      { actor: { type: 'host' } },
    );
    await a.handle('m1', joinMeeting('ann'), participant('ann'));
    await b.load('m1'); // B caches the meeting as it is now
    return { a, b };
  }

  it('is not a no-op: the host on B lowers a hand raised through A', async () => {
    const { a, b } = await meetingCachedOnBoth();
    await a.handle('m1', { type: 'RaiseHand', participantId: 'ann' }, participant('ann'));
    const lowered = await b.handle(
      'm1',
      { type: 'LowerHand', participantId: 'ann' },
      { actor: { type: 'host' } },
    );
    expect(lowered.events.map((e) => e.type)).toEqual(['HandLowered']);
    expect(lowered.state.participants['ann']?.handRaised).toBe(false);
  });

  it('is not refused: someone who joined through A chats through B', async () => {
    const { a, b } = await meetingCachedOnBoth();
    await a.handle('m1', joinMeeting('bob'), participant('bob'));
    const sent = await b.handle(
      'm1',
      { type: 'SendChatMessage', messageId: 'c1', content: 'hi from B' },
      participant('bob'),
    );
    expect(sent.events.map((e) => e.type)).toEqual(['ChatMessageSent']);
  });

  it('is still refused when fresh state refuses it too', async () => {
    const { b } = await meetingCachedOnBoth();
    await expect(
      b.handle('m1', { type: 'SendChatMessage', messageId: 'c1', content: 'hi' }, participant('nobody')),
    ).rejects.toMatchObject({ code: 'CONFER_PARTICIPANT_NOT_FOUND' });
  });
});
