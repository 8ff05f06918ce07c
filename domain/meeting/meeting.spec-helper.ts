import { expect } from 'vitest';
import type { Actor } from '../shared/actor';
import { ConferError, type ErrorCode } from '../shared/errors';
import type { MeetingCommand } from './meeting.commands';
import { decide, evolve } from './meeting.decider';
import type { MeetingEvent, MeetingSettings } from './meeting.events';
import { initialMeetingState, type MeetingState } from './meeting.state';

/** Given past events, when a command by an actor, then new events / an error / nothing. */
export function given(...history: MeetingEvent[]) {
  const state = history.reduce<MeetingState>(
    (s, e, i) =>
      evolve(s, { ...e, occurredAt: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`, streamRevision: i }),
    initialMeetingState(),
  );
  return {
    state,
    when(command: MeetingCommand, actor: Actor) {
      const run = () => decide(command, state, actor);
      return {
        then(expected: MeetingEvent[]) {
          expect(run()).toEqual(expected);
        },
        thenNothing() {
          expect(run()).toEqual([]);
        },
        thenError(code: ErrorCode, field?: string) {
          let caught: unknown;
          try {
            run();
          } catch (error) {
            caught = error;
          }
          expect(caught).toBeInstanceOf(ConferError);
          expect((caught as ConferError).code).toBe(code);
          if (field !== undefined) expect((caught as ConferError).field).toBe(field);
        },
      };
    },
  };
}

export const settings = (overrides: Partial<MeetingSettings> = {}): MeetingSettings => ({
  muteOnEntry: false,
  videoOffOnEntry: false,
  waitingRoom: false,
  maxParticipants: 100,
  passcodeDigest: null,
  ...overrides,
});

export const created = (overrides: Partial<MeetingSettings> = {}): MeetingEvent => ({
  type: 'MeetingCreated',
  data: {
    meetingId: 'm1',
    title: 'Standup',
    startTime: null,
    hostUserId: 'u-host',
    settings: settings(overrides),
  },
});

export const joined = (
  participantId: string,
  role: 'host' | 'participant' = 'participant',
): MeetingEvent => ({
  type: 'ParticipantJoined',
  data: {
    participantId,
    displayName: participantId.toUpperCase(),
    userId: null,
    role,
    deviceId: null,
    audioEnabled: true,
    videoEnabled: true,
  },
});

export const waiting = (participantId: string): MeetingEvent => ({
  type: 'ParticipantWaiting',
  data: { participantId, displayName: participantId.toUpperCase(), userId: null, deviceId: null },
});

export const host: Actor = { type: 'host' };
export const system: Actor = { type: 'system', reason: 'test' };
export const as = (participantId: string, isHost = false): Actor => ({
  type: 'participant',
  participantId,
  isHost,
});

export const joinCmd = (
  participantId: string,
  extra: Partial<Extract<MeetingCommand, { type: 'JoinMeeting' }>> = {},
): MeetingCommand => ({
  type: 'JoinMeeting',
  participantId,
  displayName: participantId.toUpperCase(),
  userId: null,
  passcodeDigest: null,
  audioEnabled: true,
  videoEnabled: true,
  ...extra,
});
