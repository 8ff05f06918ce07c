import { describe, expect, it } from 'vitest';
import type { MeetingEvent } from './meeting.events';
import { as, created, given, host, joined, system, waiting } from './meeting.spec-helper';

/** The host's tools as rules: given past events, when a command by an actor, then facts or a coded error. */

const coHost = (participantId: string): MeetingEvent => ({ type: 'CoHostGranted', data: { participantId } });
const muted = (participantId: string): MeetingEvent => ({
  type: 'MediaStateChanged',
  data: { participantId, kind: 'audio', enabled: false },
});
const left = (participantId: string, reason: 'left' | 'disconnected' = 'left'): MeetingEvent => ({
  type: 'ParticipantLeft',
  data: { participantId, reason },
});
const handedOver = (
  from: string,
  to: string,
  reason: 'handed-over' | 'host-left' | 'host-lost',
): MeetingEvent => ({
  type: 'HostRoleHandedOver',
  data: { fromParticipantId: from, toParticipantId: to, reason },
});
const reconnecting = (participantId: string): MeetingEvent => ({
  type: 'ParticipantConnectionChanged',
  data: { participantId, connectionStatus: 'reconnecting', nodeId: null },
});

describe('co-host role', () => {
  const meeting = [created(), joined('h', 'host'), joined('ann'), joined('bob')] as const;
  it('is granted and revoked by the host', () => {
    given(...meeting)
      .when({ type: 'SetCoHost', participantId: 'ann', coHost: true }, as('h', true))
      .then([coHost('ann')]);
    given(...meeting, coHost('ann'))
      .when({ type: 'SetCoHost', participantId: 'ann', coHost: false }, as('h', true))
      .then([{ type: 'CoHostRevoked', data: { participantId: 'ann' } }]);
    expect(given(...meeting, coHost('ann')).state.participants['ann']?.role).toBe('co-host');
  });
  it('is granted by the host alone, never twice, never to someone absent or to oneself', () => {
    given(...meeting, coHost('ann'))
      .when({ type: 'SetCoHost', participantId: 'bob', coHost: true }, as('ann'))
      .thenError('CONFER_FORBIDDEN', 'authorization');
    given(...meeting)
      .when({ type: 'SetCoHost', participantId: 'bob', coHost: true }, as('ann'))
      .thenError('CONFER_FORBIDDEN', 'authorization');
    given(...meeting, coHost('ann'))
      .when({ type: 'SetCoHost', participantId: 'ann', coHost: true }, as('h', true))
      .thenError('CONFER_NOTHING_TO_CHANGE', 'participantId');
    given(...meeting)
      .when({ type: 'SetCoHost', participantId: 'bob', coHost: false }, as('h', true))
      .thenError('CONFER_NOTHING_TO_CHANGE', 'participantId');
    given(...meeting, left('bob'))
      .when({ type: 'SetCoHost', participantId: 'bob', coHost: true }, as('h', true))
      .thenError('CONFER_PARTICIPANT_NOT_JOINED', 'participantId');
    given(...meeting)
      .when({ type: 'SetCoHost', participantId: 'nobody', coHost: true }, as('h', true))
      .thenError('CONFER_PARTICIPANT_NOT_FOUND', 'participantId');
    given(...meeting)
      .when({ type: 'SetCoHost', participantId: 'h', coHost: true }, as('h', true))
      .thenError('CONFER_FORBIDDEN', 'participantId');
  });
  it('lets a co-host admit, deny, mute and remove participants', () => {
    const room = [created({ waitingRoom: true }), joined('h', 'host'), joined('ann'), coHost('ann')] as const;
    given(...room, waiting('wes'))
      .when({ type: 'AdmitParticipant', participantId: 'wes' }, as('ann'))
      .then([{ type: 'ParticipantAdmitted', data: { participantId: 'wes' } }, joined('wes')]);
    given(...room, waiting('wes'))
      .when({ type: 'DenyParticipant', participantId: 'wes' }, as('ann'))
      .then([{ type: 'ParticipantDenied', data: { participantId: 'wes' } }]);
    given(...room, joined('bob'))
      .when({ type: 'ChangeMediaState', participantId: 'bob', kind: 'audio', enabled: false }, as('ann'))
      .then([muted('bob')]);
    given(...room, joined('bob'))
      .when({ type: 'RemoveParticipant', participantId: 'bob' }, as('ann'))
      .then([{ type: 'ParticipantRemoved', data: { participantId: 'bob' } }]);
  });
  it('does not let a co-host end the meeting, lock it or remove the host', () => {
    const room = [...meeting, coHost('ann')] as const;
    given(...room)
      .when({ type: 'EndMeeting' }, as('ann'))
      .thenError('CONFER_FORBIDDEN');
    given(...room)
      .when({ type: 'SetMeetingLock', locked: true }, as('ann'))
      .thenError('CONFER_FORBIDDEN');
    given(...room)
      .when({ type: 'RemoveParticipant', participantId: 'h' }, as('ann'))
      .thenError('CONFER_FORBIDDEN', 'participantId');
  });
  it('is lost with the revocation', () => {
    given(...meeting, coHost('ann'), { type: 'CoHostRevoked', data: { participantId: 'ann' } })
      .when({ type: 'RemoveParticipant', participantId: 'bob' }, as('ann'))
      .thenError('CONFER_FORBIDDEN');
  });
});

describe('mute all', () => {
  const meeting = [created(), joined('h', 'host'), joined('ann'), joined('bob')] as const;
  it('mutes every other open microphone, recorded as one fact and each mute', () => {
    given(...meeting, muted('bob'))
      .when({ type: 'MuteAll' }, as('h', true))
      .then([
        { type: 'EveryoneMuted', data: { byParticipantId: 'h', participantIds: ['ann'] } },
        muted('ann'),
      ]);
  });
  it('may be done by a co-host, but not by a participant', () => {
    given(...meeting, coHost('ann'))
      .when({ type: 'MuteAll' }, as('ann'))
      .then([
        { type: 'EveryoneMuted', data: { byParticipantId: 'ann', participantIds: ['h', 'bob'] } },
        muted('h'),
        muted('bob'),
      ]);
    given(...meeting)
      .when({ type: 'MuteAll' }, as('bob'))
      .thenError('CONFER_FORBIDDEN', 'authorization');
  });
  it('says so when everyone else is already muted (a second click)', () => {
    given(...meeting, muted('ann'), muted('bob'))
      .when({ type: 'MuteAll' }, as('h', true))
      .thenError('CONFER_NOTHING_TO_CHANGE');
  });
});

describe('ask to unmute', () => {
  const meeting = [created(), joined('h', 'host'), joined('ann'), muted('ann')] as const;
  it('asks a muted participant, never unmutes them', () => {
    given(...meeting)
      .when({ type: 'AskToUnmute', participantId: 'ann' }, as('h', true))
      .then([{ type: 'UnmuteRequested', data: { participantId: 'ann', byParticipantId: 'h' } }]);
    given(...meeting)
      .when({ type: 'ChangeMediaState', participantId: 'ann', kind: 'audio', enabled: true }, as('h', true))
      .thenError('CONFER_HOST_CANNOT_UNMUTE_OTHERS', 'enabled');
  });
  it('refuses a participant, someone unmuted, someone absent, and asking twice', () => {
    given(...meeting, joined('bob'))
      .when({ type: 'AskToUnmute', participantId: 'ann' }, as('bob'))
      .thenError('CONFER_FORBIDDEN');
    given(created(), joined('h', 'host'), joined('ann'))
      .when({ type: 'AskToUnmute', participantId: 'ann' }, as('h', true))
      .thenError('CONFER_NOTHING_TO_CHANGE', 'participantId');
    given(...meeting, left('ann'))
      .when({ type: 'AskToUnmute', participantId: 'ann' }, as('h', true))
      .thenError('CONFER_PARTICIPANT_NOT_JOINED', 'participantId');
    given(...meeting, { type: 'UnmuteRequested', data: { participantId: 'ann', byParticipantId: 'h' } })
      .when({ type: 'AskToUnmute', participantId: 'ann' }, as('h', true))
      .thenError('CONFER_NOTHING_TO_CHANGE', 'participantId');
  });
  it('may be dismissed by the person asked (only), or answered by unmuting', () => {
    const asked = [
      ...meeting,
      { type: 'UnmuteRequested', data: { participantId: 'ann', byParticipantId: 'h' } },
    ] as const;
    given(...asked)
      .when({ type: 'DeclineUnmute', participantId: 'ann' }, as('ann'))
      .then([{ type: 'UnmuteRequestDeclined', data: { participantId: 'ann' } }]);
    given(...asked)
      .when({ type: 'DeclineUnmute', participantId: 'ann' }, as('h', true))
      .thenError('CONFER_FORBIDDEN', 'participantId');
    const answered = given(...asked, {
      type: 'MediaStateChanged',
      data: { participantId: 'ann', kind: 'audio', enabled: true },
    });
    expect(answered.state.participants['ann']?.unmuteRequested).toBe(false);
    answered
      .when({ type: 'DeclineUnmute', participantId: 'ann' }, as('ann'))
      .thenError('CONFER_NOTHING_TO_CHANGE');
  });
});

describe("turning someone's camera off", () => {
  const meeting = [created(), joined('h', 'host'), joined('ann')] as const;
  const cameraOff = {
    type: 'ChangeMediaState',
    participantId: 'ann',
    kind: 'video',
    enabled: false,
  } as const;
  it('turns it off; the person may turn it on again', () => {
    given(...meeting)
      .when(cameraOff, as('h', true))
      .then([{ type: 'MediaStateChanged', data: { participantId: 'ann', kind: 'video', enabled: false } }]);
    given(...meeting, {
      type: 'MediaStateChanged',
      data: { participantId: 'ann', kind: 'video', enabled: false },
    })
      .when({ ...cameraOff, enabled: true }, as('ann'))
      .then([{ type: 'MediaStateChanged', data: { participantId: 'ann', kind: 'video', enabled: true } }]);
  });
  it('says so the second time', () => {
    given(...meeting, {
      type: 'MediaStateChanged',
      data: { participantId: 'ann', kind: 'video', enabled: false },
    })
      .when(cameraOff, as('h', true))
      .thenError('CONFER_NOTHING_TO_CHANGE', 'participantId');
  });
});

describe('locking the meeting', () => {
  const meeting = [created({ waitingRoom: true }), joined('h', 'host')] as const;
  const join = (participantId: string) =>
    ({
      type: 'JoinMeeting',
      participantId,
      displayName: 'New',
      userId: null,
      passcodeDigest: null,
      audioEnabled: true,
      videoEnabled: true,
    }) as const;
  it('is the host’s, once, and undone by unlocking', () => {
    given(...meeting)
      .when({ type: 'SetMeetingLock', locked: true }, as('h', true))
      .then([{ type: 'MeetingLocked', data: {} }]);
    given(...meeting, { type: 'MeetingLocked', data: {} })
      .when({ type: 'SetMeetingLock', locked: true }, as('h', true))
      .thenError('CONFER_NOTHING_TO_CHANGE', 'locked');
    given(...meeting, { type: 'MeetingLocked', data: {} })
      .when({ type: 'SetMeetingLock', locked: false }, as('h', true))
      .then([{ type: 'MeetingUnlocked', data: {} }]);
    given(...meeting, joined('ann'))
      .when({ type: 'SetMeetingLock', locked: true }, as('ann'))
      .thenError('CONFER_FORBIDDEN');
  });
  it('keeps everyone new out, knocking included, but not the host', () => {
    const locked = [...meeting, { type: 'MeetingLocked', data: {} }] as const;
    given(...locked)
      .when(join('p9'), as('p9'))
      .thenError('CONFER_MEETING_LOCKED');
    given(...locked)
      .when(join('h2'), host)
      .then([
        {
          type: 'ParticipantJoined',
          data: {
            participantId: 'h2',
            displayName: 'New',
            userId: null,
            role: 'host',
            deviceId: null,
            audioEnabled: true,
            videoEnabled: true,
          },
        },
      ]);
    given(...locked, { type: 'MeetingUnlocked', data: {} })
      .when(join('p9'), as('p9'))
      .then([
        {
          type: 'ParticipantWaiting',
          data: { participantId: 'p9', displayName: 'New', userId: null, deviceId: null },
        },
      ]);
  });
});

describe('removal bars the person until a host lets them back', () => {
  const meeting = [
    created(),
    joined('h', 'host'),
    {
      type: 'ParticipantJoined',
      data: {
        participantId: 'eve',
        displayName: 'Eve',
        userId: 'u-eve',
        role: 'participant',
        deviceId: 'dev-eve',
        audioEnabled: true,
        videoEnabled: true,
      },
    },
  ] as const;
  const removed = [...meeting, { type: 'ParticipantRemoved', data: { participantId: 'eve' } }] as const;
  const rejoin = (extra: { deviceId?: string | null; userId?: string | null }) =>
    ({
      type: 'JoinMeeting',
      participantId: 'eve2',
      displayName: 'Eve',
      userId: extra.userId ?? null,
      deviceId: extra.deviceId ?? null,
      passcodeDigest: null,
      audioEnabled: true,
      videoEnabled: true,
    }) as const;
  /** Eve in again under a new participant id, from the browser `deviceId`. */
  const eveBack = (deviceId: string): MeetingEvent => ({
    type: 'ParticipantJoined',
    data: {
      participantId: 'eve2',
      displayName: 'Eve',
      userId: null,
      role: 'participant',
      deviceId,
      audioEnabled: true,
      videoEnabled: true,
    },
  });
  it('refuses the same browser and the same user, whatever the new participant id', () => {
    given(...removed)
      .when(rejoin({ deviceId: 'dev-eve' }), as('eve2'))
      .thenError('CONFER_PARTICIPANT_BARRED');
    given(...removed)
      .when(rejoin({ userId: 'u-eve' }), as('eve2'))
      .thenError('CONFER_PARTICIPANT_BARRED');
    given(...removed)
      .when(rejoin({ deviceId: 'dev-other' }), as('eve2'))
      .then([eveBack('dev-other')]);
  });
  it('lets them back once a host or co-host allows it (once; a participant may not)', () => {
    given(...removed)
      .when({ type: 'AllowBack', participantId: 'eve' }, as('h', true))
      .then([{ type: 'ParticipantAllowedBack', data: { participantId: 'eve' } }]);
    const back = [...removed, { type: 'ParticipantAllowedBack', data: { participantId: 'eve' } }] as const;
    given(...back)
      .when(rejoin({ deviceId: 'dev-eve' }), as('eve2'))
      .then([eveBack('dev-eve')]);
    given(...back)
      .when({ type: 'AllowBack', participantId: 'eve' }, as('h', true))
      .thenError('CONFER_NOTHING_TO_CHANGE', 'participantId');
    given(...removed, joined('bob'))
      .when({ type: 'AllowBack', participantId: 'eve' }, as('bob'))
      .thenError('CONFER_FORBIDDEN');
    given(...removed)
      .when({ type: 'AllowBack', participantId: 'nobody' }, as('h', true))
      .thenError('CONFER_PARTICIPANT_NOT_FOUND', 'participantId');
  });
  it('never lets anyone remove themselves', () => {
    given(...meeting)
      .when({ type: 'RemoveParticipant', participantId: 'h' }, as('h', true))
      .thenError('CONFER_FORBIDDEN', 'participantId');
  });
});

describe('knocking again after a denial', () => {
  const knock = (participantId: string, requestedAt: string) =>
    ({
      type: 'JoinMeeting',
      participantId,
      displayName: 'Kim',
      userId: null,
      deviceId: 'dev-kim',
      requestedAt,
      passcodeDigest: null,
      audioEnabled: true,
      videoEnabled: true,
    }) as const;
  const knocked = (participantId: string): MeetingEvent => ({
    type: 'ParticipantWaiting',
    data: { participantId, displayName: 'Kim', userId: null, deviceId: 'dev-kim' },
  });
  const denied = (participantId: string): MeetingEvent => ({
    type: 'ParticipantDenied',
    data: { participantId },
  });
  // given() records event i at 2026-01-01T00:00:0i: the first denial (event 3) is at 00:00:03.
  const once = [created({ waitingRoom: true }), joined('h', 'host'), knocked('k1'), denied('k1')] as const;
  it('waits 30 s after a first denial, and says until when', () => {
    given(...once)
      .when(knock('k2', '2026-01-01T00:00:10Z'), as('k2'))
      .thenError('CONFER_KNOCK_TOO_SOON');
    given(...once)
      .when(knock('k2', '2026-01-01T00:00:33Z'), as('k2'))
      .then([knocked('k2')]);
    expect(given(...once).state.knockCooldowns['device:dev-kim']).toEqual({
      denials: 1,
      until: '2026-01-01T00:00:33.000Z',
    });
  });
  it('doubles the wait with each further denial', () => {
    const twice = given(...once, knocked('k2'), denied('k2'));
    // The second denial is event 5, at 00:00:05: 60 s.
    expect(twice.state.knockCooldowns['device:dev-kim']).toEqual({
      denials: 2,
      until: '2026-01-01T00:01:05.000Z',
    });
    twice.when(knock('k3', '2026-01-01T00:01:00Z'), as('k3')).thenError('CONFER_KNOCK_TOO_SOON');
  });
});

describe('host succession', () => {
  it('hands the role to whom the leaving host chose', () => {
    given(created(), joined('h', 'host'), joined('ann'), joined('bob'))
      .when({ type: 'LeaveMeeting', participantId: 'h', reason: 'left', successorId: 'bob' }, as('h', true))
      .then([handedOver('h', 'bob', 'handed-over'), left('h')]);
  });
  it('refuses a successor who is not another participant present, and a non-host naming one', () => {
    given(created(), joined('h', 'host'), joined('ann'), left('ann'))
      .when({ type: 'LeaveMeeting', participantId: 'h', reason: 'left', successorId: 'ann' }, as('h', true))
      .thenError('CONFER_PARTICIPANT_NOT_JOINED', 'successorId');
    given(created(), joined('h', 'host'), waiting('wes'))
      .when({ type: 'LeaveMeeting', participantId: 'h', reason: 'left', successorId: 'wes' }, as('h', true))
      .thenError('CONFER_PARTICIPANT_NOT_JOINED', 'successorId');
    given(created(), joined('h', 'host'), joined('ann'), joined('bob'))
      .when({ type: 'LeaveMeeting', participantId: 'ann', reason: 'left', successorId: 'bob' }, as('ann'))
      .thenError('CONFER_FORBIDDEN', 'successorId');
  });
  it('without a choice, passes it to the longest present, co-hosts first', () => {
    given(created(), joined('h', 'host'), joined('ann'), joined('bob'))
      .when({ type: 'LeaveMeeting', participantId: 'h', reason: 'left' }, as('h', true))
      .then([handedOver('h', 'ann', 'host-left'), left('h')]);
    given(created(), joined('h', 'host'), joined('ann'), joined('bob'), coHost('bob'))
      .when({ type: 'LeaveMeeting', participantId: 'h', reason: 'left' }, as('h', true))
      .then([handedOver('h', 'bob', 'host-left'), left('h')]);
  });
  it('passes it on when the host’s connection is lost past the grace period, skipping the reconnecting', () => {
    given(
      created(),
      joined('h', 'host'),
      joined('ann'),
      joined('bob'),
      reconnecting('h'),
      reconnecting('ann'),
    )
      .when({ type: 'LeaveMeeting', participantId: 'h', reason: 'disconnected' }, system)
      .then([handedOver('h', 'bob', 'host-lost'), left('h', 'disconnected')]);
  });
  it('passes it on through the node sweeper too', () => {
    const on = (participantId: string): MeetingEvent => ({
      type: 'ParticipantConnectionChanged',
      data: { participantId, connectionStatus: 'reconnecting', nodeId: 'n1' },
    });
    given(created(), joined('h', 'host'), joined('ann'), on('h'))
      .when({ type: 'SweepLostConnection', participantId: 'h', nodeId: 'n1', leave: true }, system)
      .then([handedOver('h', 'ann', 'host-lost'), left('h', 'disconnected')]);
  });
  it('does nothing when another host stays, or nobody is left to take it', () => {
    given(created(), joined('h', 'host'), joined('h2', 'host'), joined('ann'))
      .when({ type: 'LeaveMeeting', participantId: 'h', reason: 'left' }, as('h', true))
      .then([left('h')]);
    given(created(), joined('h', 'host'), waiting('wes'))
      .when({ type: 'LeaveMeeting', participantId: 'h', reason: 'left' }, as('h', true))
      .then([left('h')]);
  });
  it('gives the new host the host’s powers, whatever their token says', () => {
    const after = [
      created({ waitingRoom: true }),
      joined('h', 'host'),
      joined('ann'),
      waiting('wes'),
      handedOver('h', 'ann', 'handed-over'),
      left('h'),
    ] as const;
    expect(given(...after).state.participants['ann']?.role).toBe('host');
    given(...after)
      .when({ type: 'AdmitParticipant', participantId: 'wes' }, as('ann'))
      .then([{ type: 'ParticipantAdmitted', data: { participantId: 'wes' } }, joined('wes')]);
    given(...after)
      .when({ type: 'EndMeeting' }, as('ann'))
      .then([
        { type: 'ParticipantLeft', data: { participantId: 'ann', reason: 'meeting-ended' } },
        { type: 'ParticipantLeft', data: { participantId: 'wes', reason: 'meeting-ended' } },
        { type: 'MeetingEnded', data: { reason: 'host-ended' } },
      ]);
  });
});
