import { describe, expect, it } from 'vitest';
import { REACTION_EMOJI } from '../shared/reactions';
import { MeetingCommandSchema } from './meeting.commands';
import type { MeetingEvent } from './meeting.events';
import { as, created, given, host, joined, system, waiting } from './meeting.spec-helper';

const spotlighted = (participantId: string): MeetingEvent => ({
  type: 'ParticipantSpotlighted',
  data: { participantId },
});
const cleared = (participantId: string, reason: 'host-cleared' | 'participant-left'): MeetingEvent => ({
  type: 'SpotlightCleared',
  data: { participantId, reason },
});
const left = (participantId: string): MeetingEvent => ({
  type: 'ParticipantLeft',
  data: { participantId, reason: 'left' },
});

describe('spotlighting someone for everyone', () => {
  it('the host spotlights a present participant', () => {
    given(created(), joined('h', 'host'), joined('ann'))
      .when({ type: 'SpotlightParticipant', participantId: 'ann' }, as('h', true))
      .then([spotlighted('ann')]);
    given(created(), joined('ann'))
      .when({ type: 'SpotlightParticipant', participantId: 'ann' }, host)
      .then([spotlighted('ann')]);
  });

  it('a participant may not, not even themselves', () => {
    given(created(), joined('h', 'host'), joined('ann'))
      .when({ type: 'SpotlightParticipant', participantId: 'ann' }, as('ann'))
      .thenError('CONFER_FORBIDDEN', 'type');
    given(created(), joined('h', 'host'), joined('ann'), spotlighted('ann'))
      .when({ type: 'ClearSpotlight' }, as('ann'))
      .thenError('CONFER_FORBIDDEN', 'type');
  });

  it('only someone present can be spotlighted', () => {
    given(created(), joined('h', 'host'))
      .when({ type: 'SpotlightParticipant', participantId: 'nobody' }, as('h', true))
      .thenError('CONFER_PARTICIPANT_NOT_FOUND', 'participantId');
    given(created({ waitingRoom: true }), joined('h', 'host'), waiting('wes'))
      .when({ type: 'SpotlightParticipant', participantId: 'wes' }, as('h', true))
      .thenError('CONFER_PARTICIPANT_NOT_JOINED', 'participantId');
    given(created(), joined('h', 'host'), joined('ann'), left('ann'))
      .when({ type: 'SpotlightParticipant', participantId: 'ann' }, as('h', true))
      .thenError('CONFER_PARTICIPANT_NOT_JOINED', 'participantId');
  });

  it('spotlighting the one already spotlighted changes nothing; another replaces them', () => {
    const meeting = given(created(), joined('h', 'host'), joined('ann'), joined('bo'), spotlighted('ann'));
    meeting.when({ type: 'SpotlightParticipant', participantId: 'ann' }, as('h', true)).thenNothing();
    meeting
      .when({ type: 'SpotlightParticipant', participantId: 'bo' }, as('h', true))
      .then([spotlighted('bo')]);
    expect(given(created(), joined('ann'), spotlighted('ann'), spotlighted('ann')).state.spotlightId).toBe(
      'ann',
    );
  });

  it('the host clears it; clearing when nobody is spotlighted changes nothing', () => {
    given(created(), joined('h', 'host'), joined('ann'), spotlighted('ann'))
      .when({ type: 'ClearSpotlight' }, as('h', true))
      .then([cleared('ann', 'host-cleared')]);
    given(created(), joined('h', 'host')).when({ type: 'ClearSpotlight' }, as('h', true)).thenNothing();
    expect(
      given(created(), joined('ann'), spotlighted('ann'), cleared('ann', 'host-cleared')).state.spotlightId,
    ).toBeNull();
  });

  it('goes when the spotlighted person leaves, is removed or is swept away', () => {
    const meeting = given(created(), joined('h', 'host'), joined('ann'), spotlighted('ann'));
    meeting
      .when({ type: 'LeaveMeeting', participantId: 'ann', reason: 'left' }, as('ann'))
      .then([left('ann'), cleared('ann', 'participant-left')]);
    meeting
      .when({ type: 'RemoveParticipant', participantId: 'ann' }, as('h', true))
      .then([
        { type: 'ParticipantRemoved', data: { participantId: 'ann' } },
        cleared('ann', 'participant-left'),
      ]);
    given(
      created(),
      joined('h', 'host'),
      joined('ann'),
      {
        type: 'ParticipantConnectionChanged',
        data: { participantId: 'ann', connectionStatus: 'connected', nodeId: 'n1' },
      },
      spotlighted('ann'),
      {
        type: 'ParticipantConnectionChanged',
        data: { participantId: 'ann', connectionStatus: 'reconnecting', nodeId: 'n1' },
      },
    )
      .when({ type: 'SweepLostConnection', participantId: 'ann', nodeId: 'n1', leave: true }, system)
      .then([
        { type: 'ParticipantLeft', data: { participantId: 'ann', reason: 'disconnected' } },
        cleared('ann', 'participant-left'),
      ]);
  });

  it('someone else leaving leaves the spotlight where it is', () => {
    given(created(), joined('h', 'host'), joined('ann'), joined('bo'), spotlighted('ann'))
      .when({ type: 'LeaveMeeting', participantId: 'bo', reason: 'left' }, as('bo'))
      .then([left('bo')]);
  });
});

describe('reactions', () => {
  it('a present participant sends one of the set, as themselves', () => {
    for (const emoji of REACTION_EMOJI)
      given(created(), joined('ann'))
        .when({ type: 'SendReaction', emoji }, as('ann'))
        .then([{ type: 'ReactionSent', data: { participantId: 'ann', emoji } }]);
  });

  it('nobody outside the meeting reacts: the waiting room, those who left, the bare host token', () => {
    given(created({ waitingRoom: true }), joined('h', 'host'), waiting('wes'))
      .when({ type: 'SendReaction', emoji: '👍' }, as('wes'))
      .thenError('CONFER_PARTICIPANT_NOT_JOINED', 'participantId');
    given(created(), joined('ann'), left('ann'))
      .when({ type: 'SendReaction', emoji: '👍' }, as('ann'))
      .thenError('CONFER_PARTICIPANT_NOT_JOINED', 'participantId');
    given(created()).when({ type: 'SendReaction', emoji: '👍' }, host).thenError('CONFER_FORBIDDEN');
  });

  it('an ended meeting takes no reaction', () => {
    given(created(), joined('ann'), { type: 'MeetingEnded', data: { reason: 'host-ended' } })
      .when({ type: 'SendReaction', emoji: '🎉' }, as('ann'))
      .thenError('CONFER_MEETING_ENDED');
  });

  it('only the six emoji make a command: lookalikes, text and joined sequences are refused', () => {
    for (const emoji of ['👍🏽', '❤', '🙂', 'lol', '👍\u202e', '', '👍👍'])
      expect(MeetingCommandSchema.safeParse({ type: 'SendReaction', emoji }).success, emoji).toBe(false);
    expect(MeetingCommandSchema.safeParse({ type: 'SendReaction', emoji: '❤️' }).success).toBe(true);
  });

  it('a reaction changes nothing of the meeting', () => {
    const before = given(created(), joined('ann')).state;
    const after = given(created(), joined('ann'), {
      type: 'ReactionSent',
      data: { participantId: 'ann', emoji: '😂' },
    }).state;
    expect(after).toEqual(before);
  });
});
