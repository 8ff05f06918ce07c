import { describe, expect, it } from 'vitest';
import { evolve } from '../meeting/meeting.decider';
import type { RecordedMeetingEvent } from '../meeting/meeting.events';
import { initialMeetingState, type MeetingState } from '../meeting/meeting.state';
import { mayAccess, standingIn, type Access, type Principal } from './standing';

const settings = {
  muteOnEntry: false,
  videoOffOnEntry: false,
  waitingRoom: true,
  maxParticipants: 10,
  passcodeDigest: null,
};
const history: RecordedMeetingEvent[] = [
  {
    type: 'MeetingCreated',
    data: { meetingId: 'm1', title: 'T', startTime: null, hostUserId: null, settings },
  },
  {
    type: 'ParticipantJoined',
    data: {
      participantId: 'host',
      displayName: 'H',
      userId: null,
      role: 'host',
      audioEnabled: true,
      videoEnabled: true,
    },
  },
  { type: 'ParticipantWaiting', data: { participantId: 'ann', displayName: 'Ann', userId: null } },
  { type: 'ParticipantAdmitted', data: { participantId: 'ann' } },
  {
    type: 'ParticipantJoined',
    data: {
      participantId: 'ann',
      displayName: 'Ann',
      userId: null,
      role: 'participant',
      audioEnabled: true,
      videoEnabled: true,
    },
  },
  { type: 'ParticipantWaiting', data: { participantId: 'wes', displayName: 'Wes', userId: null } },
  { type: 'ParticipantWaiting', data: { participantId: 'dan', displayName: 'Dan', userId: null } },
  { type: 'ParticipantDenied', data: { participantId: 'dan' } },
  { type: 'ParticipantWaiting', data: { participantId: 'rex', displayName: 'Rex', userId: null } },
  { type: 'ParticipantAdmitted', data: { participantId: 'rex' } },
  {
    type: 'ParticipantJoined',
    data: {
      participantId: 'rex',
      displayName: 'Rex',
      userId: null,
      role: 'participant',
      audioEnabled: true,
      videoEnabled: true,
    },
  },
  { type: 'ParticipantRemoved', data: { participantId: 'rex' } },
].map(
  (e, i) =>
    ({
      ...e,
      occurredAt: `2026-12-01T10:00:${String(i).padStart(2, '0')}Z`,
      streamRevision: i,
    }) as RecordedMeetingEvent,
);
const meeting: MeetingState = history.reduce(evolve, initialMeetingState());
const participant = (participantId: string, meetingId = 'm1'): Principal => ({
  kind: 'participant',
  meetingId,
  participantId,
});

describe('standing: who may read and act in a meeting', () => {
  const cases: [string, Principal, string, Access[], Access[]][] = [
    [
      'the host credential',
      { kind: 'host-credential', meetingId: 'm1' },
      'host',
      ['read-meeting', 'host-act'],
      ['read-audit'],
    ],
    ['the joined host', participant('host'), 'host', ['read-meeting', 'act', 'host-act'], ['read-analytics']],
    [
      'an admitted participant',
      participant('ann'),
      'participant',
      ['read-meeting', 'act', 'connect'],
      ['host-act', 'read-audit'],
    ],
    ['a waiting guest', participant('wes'), 'waiting', ['read-summary', 'connect'], ['read-meeting', 'act']],
    ['a denied guest', participant('dan'), 'denied', ['read-summary'], ['connect', 'read-meeting']],
    [
      'a removed participant',
      participant('rex'),
      'removed',
      ['read-summary'],
      ['connect', 'read-meeting', 'act'],
    ],
    [
      'another meeting’s participant',
      participant('ann', 'm2'),
      'stranger',
      ['read-summary'],
      ['read-meeting'],
    ],
    ['an unknown participant id', participant('nobody'), 'stranger', ['read-summary'], ['connect']],
    ['anyone', { kind: 'anonymous' }, 'stranger', ['read-summary'], ['read-meeting', 'connect']],
    [
      'an auditor of this meeting',
      { kind: 'auditor', meetingId: 'm1' },
      'auditor',
      ['read-audit'],
      ['read-meeting', 'act', 'read-analytics'],
    ],
    ['an auditor of all meetings', { kind: 'auditor', meetingId: null }, 'auditor', ['read-audit'], ['act']],
    ['an auditor of another meeting', { kind: 'auditor', meetingId: 'm2' }, 'stranger', [], ['read-audit']],
    [
      'an analyst',
      { kind: 'analyst', meetingId: null },
      'analyst',
      ['read-analytics'],
      ['read-audit', 'act'],
    ],
    [
      'an operator',
      { kind: 'operator' },
      'operator',
      ['read-summary'],
      ['read-meeting', 'act', 'read-audit'],
    ],
    ['a signed-in user', { kind: 'user', userId: 'u1' }, 'stranger', ['read-summary'], ['read-meeting']],
  ];
  it.each(cases)('given %s', (_who, principal, standing, allowed, refused) => {
    const actual = standingIn(meeting, principal);
    expect(actual).toBe(standing);
    for (const access of allowed) expect(mayAccess(actual, access), access).toBe(true);
    for (const access of refused) expect(mayAccess(actual, access), access).toBe(false);
  });
});
