import { describe, expect, it } from 'vitest';
import type { MeetingEvent } from '../../domain/meeting/meeting.events';
import { created, joined, waiting } from '../../domain/meeting/meeting.spec-helper';
import { at, given } from './analytics.spec-helper';
import { derive, initialAnalyticsState } from './derive';

const left = (
  participantId: string,
  reason: 'left' | 'disconnected' | 'meeting-ended' = 'left',
): MeetingEvent => ({
  type: 'ParticipantLeft',
  data: { participantId, reason },
});
const connected = (participantId: string): MeetingEvent => ({
  type: 'ParticipantConnectionChanged',
  data: { participantId, connectionStatus: 'connected', nodeId: null },
});
const speaker = (participantId: string | null): MeetingEvent => ({
  type: 'ActiveSpeakerChanged',
  data: { participantId },
});
const published = (
  participantId: string,
  producerId: string,
  source: 'microphone' | 'camera' | 'screen',
): MeetingEvent => ({
  type: 'MediaPublished',
  data: {
    participantId,
    producerId,
    source,
    kind: source === 'microphone' ? 'audio' : 'video',
    paused: false,
    nodeId: null,
  },
});
const chat = (senderId: string, content: string): MeetingEvent => ({
  type: 'ChatMessageSent',
  data: { messageId: `msg-${content}`, senderId, senderName: senderId.toUpperCase(), content },
});
const ended: MeetingEvent = { type: 'MeetingEnded', data: { reason: 'host-ended' } };

describe('analytics derive: meetings', () => {
  it('a created meeting starts', () => {
    given()
      .when(0, created({ waitingRoom: true }))
      .then([
        {
          type: 'confer.meeting.started.v1',
          data: { waitingRoom: true, maxParticipants: 100, scheduledStart: null },
        },
      ]);
  });

  it('an ended meeting reports its duration, peak, total and chat count, then final talk times', () => {
    given(
      [0, created()],
      [10, joined('a')],
      [11, joined('b')],
      [12, left('b')],
      [13, joined('c')],
      [20, speaker('a')],
      [50, speaker('c')],
      [55, chat('a', 'hi')],
      [60, left('a', 'meeting-ended')],
      [60, left('c', 'meeting-ended')],
    )
      .when(100, ended)
      .then([
        {
          type: 'confer.meeting.ended.v1',
          data: {
            reason: 'host-ended',
            durationMs: 100_000,
            peakParticipants: 2,
            participantsTotal: 3,
            chatMessages: 1,
          },
        },
        { type: 'confer.talk-time.final.v1', data: { participantId: 'a', totalMs: 30_000, turns: 1 } },
        { type: 'confer.talk-time.final.v1', data: { participantId: 'c', totalMs: 10_000, turns: 1 } },
      ]);
  });
});

describe('analytics derive: participants', () => {
  it('a join counts who is present', () => {
    given([0, created()], [1, joined('a')])
      .when(2, joined('b'))
      .then([
        {
          type: 'confer.participant.joined.v1',
          data: {
            participantId: 'b',
            role: 'participant',
            audioEnabled: true,
            videoEnabled: true,
            participantsNow: 2,
          },
        },
      ]);
  });

  it('the first connection after a waiting room measures from the join request', () => {
    given(
      [0, created({ waitingRoom: true })],
      [3, waiting('a')],
      [9, { type: 'ParticipantAdmitted', data: { participantId: 'a' } }],
      [10, joined('a')],
    )
      .when(12, connected('a'))
      .then([
        {
          type: 'confer.participant.connected.v1',
          data: { participantId: 'a', joinToConnectedMs: 9000, reconnected: false },
        },
      ]);
  });

  it('a later connection is a reconnection, with no join time', () => {
    given([0, created()], [1, joined('a')], [2, connected('a')])
      .when(5, connected('a'))
      .then([
        {
          type: 'confer.participant.connected.v1',
          data: { participantId: 'a', joinToConnectedMs: null, reconnected: true },
        },
      ]);
  });

  it('a leave ends a speaking turn first, then reports time in meeting and talk time', () => {
    given([0, created()], [1, joined('a')], [2, joined('b')], [10, speaker('a')])
      .when(25, left('a'))
      .then([
        {
          type: 'confer.talk-time.updated.v1',
          data: { participantId: 'a', turnMs: 15_000, totalMs: 15_000 },
        },
        {
          type: 'confer.participant.left.v1',
          data: {
            participantId: 'a',
            reason: 'left',
            timeInMeetingMs: 24_000,
            talkTimeMs: 15_000,
            participantsNow: 1,
          },
        },
      ]);
  });

  it('a removal is a leave with reason removed; a second leave of the same visit says nothing', () => {
    given([0, created()], [1, joined('a')])
      .when(3, { type: 'ParticipantRemoved', data: { participantId: 'a' } })
      .then([
        {
          type: 'confer.participant.left.v1',
          data: {
            participantId: 'a',
            reason: 'removed',
            timeInMeetingMs: 2000,
            talkTimeMs: 0,
            participantsNow: 0,
          },
        },
      ]);
    given([0, created()], [1, joined('a')], [3, { type: 'ParticipantRemoved', data: { participantId: 'a' } }])
      .when(4, left('a'))
      .then([]);
  });
});

describe('analytics derive: media, hands, chat, talk time', () => {
  it('a screen share starts with its producer and stops with its duration', () => {
    given([0, created()], [1, joined('a')])
      .when(2, published('a', 'p1', 'screen'))
      .then([
        {
          type: 'confer.media.published.v1',
          data: { participantId: 'a', producerId: 'p1', source: 'screen', kind: 'video' },
        },
        { type: 'confer.screenshare.started.v1', data: { participantId: 'a', producerId: 'p1' } },
      ]);
    given([0, created()], [1, joined('a')], [2, published('a', 'p1', 'screen')])
      .when(32, { type: 'MediaUnpublished', data: { participantId: 'a', producerId: 'p1' } })
      .then([
        {
          type: 'confer.media.unpublished.v1',
          data: { participantId: 'a', producerId: 'p1', source: 'screen', publishedMs: 30_000 },
        },
        {
          type: 'confer.screenshare.stopped.v1',
          data: { participantId: 'a', producerId: 'p1', durationMs: 30_000 },
        },
      ]);
  });

  it('a raised hand is recorded', () => {
    given([0, created()], [1, joined('a')])
      .when(2, { type: 'HandRaised', data: { participantId: 'a' } })
      .then([{ type: 'confer.hand.raised.v1', data: { participantId: 'a' } }]);
  });

  it('a reaction is recorded with its emoji', () => {
    given([0, created()], [1, joined('a')])
      .when(2, { type: 'ReactionSent', data: { participantId: 'a', emoji: '👏' } })
      .then([{ type: 'confer.reaction.sent.v1', data: { participantId: 'a', emoji: '👏' } }]);
  });

  it('chat gives counts and length in code points, and no content unless allowed', () => {
    given([0, created()], [1, joined('a')], [2, chat('a', 'one')])
      .when(3, chat('a', 'héllo 👋'))
      .then([
        {
          type: 'confer.chat.message.v1',
          data: {
            messageId: 'msg-héllo 👋',
            senderId: 'a',
            length: 7,
            senderMessageCount: 2,
            meetingMessageCount: 2,
            content: null,
          },
        },
      ]);
    given([0, created()], [1, joined('a')])
      .withChatContent()
      .when(3, chat('a', 'ok'))
      .then([
        {
          type: 'confer.chat.message.v1',
          data: {
            messageId: 'msg-ok',
            senderId: 'a',
            length: 2,
            senderMessageCount: 1,
            meetingMessageCount: 1,
            content: 'ok',
          },
        },
      ]);
  });

  it('talk time accumulates per speaker across turns (a running figure at each change)', () => {
    given(
      [0, created()],
      [1, joined('a')],
      [1, joined('b')],
      [10, speaker('a')],
      [20, speaker('b')],
      [25, speaker(null)],
    )
      .when(30, speaker('a'))
      .then([]);
    given(
      [0, created()],
      [1, joined('a')],
      [1, joined('b')],
      [10, speaker('a')],
      [20, speaker('b')],
      [25, speaker('a')],
    )
      .when(40, speaker('b'))
      .then([
        {
          type: 'confer.talk-time.updated.v1',
          data: { participantId: 'a', turnMs: 15_000, totalMs: 25_000 },
        },
      ]);
  });

  it('placement events are not analysts’ business', () => {
    given([0, created()])
      .when(1, { type: 'MediaNodeAssigned', data: { nodeId: 'n1', url: 'http://n1', previousNodeId: null } })
      .then([]);
  });

  it('never changes the state it is given', () => {
    const state = initialAnalyticsState();
    const copy = structuredClone(state);
    derive(state, created(), at(0), { chatContent: false });
    expect(state).toEqual(copy);
  });
});
