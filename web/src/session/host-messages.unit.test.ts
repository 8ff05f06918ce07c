import { describe, expect, it } from 'vitest';
import {
  serverMessage,
  type AnyServerMessage,
  type ParticipantView,
  type ServerMessageType,
  type ServerPayloads,
} from '../../../protocol/signaling';
import { applyJoinResult, initialState, type MeetingClientState } from './meeting-state';
import { reduceMessage } from './message-reducer';
import { defaultSuccessor } from './successor';

/** What the host tools' broadcasts change in what a person sees: given a state, when a message, then. */

const reduce = <K extends ServerMessageType>(
  state: MeetingClientState,
  type: K,
  payload: ServerPayloads[K],
) => reduceMessage(state, serverMessage(type, payload) as unknown as AnyServerMessage);

const person = (participantId: string, extra: Partial<ParticipantView> = {}): ParticipantView => ({
  participantId,
  displayName: participantId.toUpperCase(),
  userId: null,
  role: 'participant',
  status: 'joined',
  joinTime: '2026-01-01T10:00:00.000Z',
  connectionStatus: 'connected',
  audioEnabled: true,
  videoEnabled: true,
  screenSharing: false,
  handRaised: false,
  ...extra,
});

/** Given "me" in a meeting with the host "hana" and "ann". */
function meeting(selfRole: ParticipantView['role'] = 'participant'): MeetingClientState {
  return applyJoinResult(initialState('m1', 'me', selfRole === 'host'), {
    self: person('me', { role: selfRole }),
    meeting: { meetingId: 'm1', title: 'T', status: 'active', waitingRoom: true, locked: false },
    participants: [person('hana', { role: 'host' }), person('ann'), person('me', { role: selfRole })],
    waiting: [],
    barred: [],
    activeSpeakerId: null,
    spotlightId: null,
    recording: false,
    recordingId: null,
    seq: 3,
    replayed: 0,
    media: true,
  });
}

describe('host tools as a person sees them', () => {
  it('makes me host when the role is handed to me, and briefs me on who waits', () => {
    let s = reduce(meeting(), 'role-changed', {
      participantId: 'me',
      role: 'host',
      reason: 'handed-over',
      previousHostId: 'hana',
      seq: 4,
    });
    expect(s.isHost).toBe(true);
    expect(s.participants['hana']?.role).toBe('participant');
    expect(s.participants['me']?.role).toBe('host');
    s = reduce(s, 'moderator-briefing', {
      waiting: [person('wes', { status: 'waiting' })],
      barred: [{ participantId: 'eve', displayName: 'Eve' }],
      locked: true,
      seq: 4,
    });
    expect(Object.keys(s.waiting)).toEqual(['wes']);
    expect(Object.keys(s.barred)).toEqual(['eve']);
    expect(s.meeting.locked).toBe(true);
  });
  it('shows someone else as co-host, and me as co-host when granted', () => {
    const other = reduce(meeting(), 'role-changed', {
      participantId: 'ann',
      role: 'co-host',
      reason: 'granted',
      previousHostId: null,
      seq: 4,
    });
    expect(other.participants['ann']?.role).toBe('co-host');
    expect(other.isCoHost).toBe(false);
    const me = reduce(meeting(), 'role-changed', {
      participantId: 'me',
      role: 'co-host',
      reason: 'granted',
      previousHostId: null,
      seq: 4,
    });
    expect(me.isCoHost).toBe(true);
  });
  it('asks me to unmute until I unmute or dismiss; never anyone else', () => {
    const asked = reduce(meeting(), 'unmute-requested', {
      participantId: 'me',
      byParticipantId: 'hana',
      seq: 4,
    });
    expect(asked.unmuteRequest).toEqual({ byName: 'HANA' });
    expect(
      reduce(meeting(), 'unmute-requested', { participantId: 'ann', byParticipantId: 'hana', seq: 4 })
        .unmuteRequest,
    ).toBe(null);
    const unmuted = reduce(asked, 'media-update', {
      participantId: 'me',
      audio: true,
      video: true,
      screen: false,
      seq: 5,
    });
    expect(unmuted.unmuteRequest).toBe(null);
    expect(reduce(asked, 'unmute-declined', { participantId: 'me', seq: 5 }).unmuteRequest).toBe(null);
  });
  it('lists a removed person for a host until they are let back, and shows the lock', () => {
    const removed = reduce(meeting('host'), 'participant-left', {
      participantId: 'ann',
      reason: 'removed',
      seq: 4,
    });
    expect(removed.barred['ann']).toEqual({ participantId: 'ann', displayName: 'ANN' });
    expect(reduce(removed, 'allowed-back', { participantId: 'ann', seq: 5 }).barred).toEqual({});
    // A participant keeps no such list.
    expect(
      reduce(meeting(), 'participant-left', { participantId: 'ann', reason: 'removed', seq: 4 }).barred,
    ).toEqual({});
    expect(reduce(meeting(), 'meeting-lock', { locked: true, seq: 4 }).meeting.locked).toBe(true);
  });
});

describe('the leave dialog’s default new host', () => {
  it('is someone connected, co-hosts first, then the longest present', () => {
    const early = person('ann', { joinTime: '2026-01-01T09:00:00.000Z' });
    const late = person('bob', { joinTime: '2026-01-01T11:00:00.000Z' });
    expect(defaultSuccessor([late, early, person('me')], 'me')?.participantId).toBe('ann');
    expect(defaultSuccessor([early, { ...late, role: 'co-host' }], 'me')?.participantId).toBe('bob');
    expect(
      defaultSuccessor([{ ...early, connectionStatus: 'reconnecting' }, late], 'me')?.participantId,
    ).toBe('bob');
    expect(defaultSuccessor([person('me')], 'me')).toBeUndefined();
  });
});
