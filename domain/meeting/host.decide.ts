import { actorParticipantId, type Actor } from '../shared/actor';
import { ConferError } from '../shared/errors';
import { assertHost, assertModerator } from './host-authority';
import type { MeetingCommand } from './meeting.commands';
import type { MeetingEvent, RecordedMeetingEvent } from './meeting.events';
import type { MeetingState, ParticipantState } from './meeting.state';

/**
 * The host's tools (called from the meeting decider): co-hosts, mute all, ask to unmute, lock,
 * allow back. A host may do all of them; a co-host may mute everyone, ask to unmute and let a
 * removed person back, never change roles or lock. Asking for what is already so is a coded error
 * (CONFER_NOTHING_TO_CHANGE), so that a second click tells the host rather than repeating.
 */
export type HostCommand = Extract<
  MeetingCommand,
  { type: 'SetCoHost' | 'MuteAll' | 'AskToUnmute' | 'DeclineUnmute' | 'SetMeetingLock' | 'AllowBack' }
>;
export type HostEvent = Extract<
  MeetingEvent,
  {
    type:
      | 'HostRoleHandedOver'
      | 'CoHostGranted'
      | 'CoHostRevoked'
      | 'EveryoneMuted'
      | 'UnmuteRequested'
      | 'UnmuteRequestDeclined'
      | 'MeetingLocked'
      | 'MeetingUnlocked'
      | 'ParticipantAllowedBack';
  }
>;

const hostCommandTypes: ReadonlySet<string> = new Set<HostCommand['type']>([
  'SetCoHost',
  'MuteAll',
  'AskToUnmute',
  'DeclineUnmute',
  'SetMeetingLock',
  'AllowBack',
]);
const hostEventTypes: ReadonlySet<string> = new Set<HostEvent['type']>([
  'HostRoleHandedOver',
  'CoHostGranted',
  'CoHostRevoked',
  'EveryoneMuted',
  'UnmuteRequested',
  'UnmuteRequestDeclined',
  'MeetingLocked',
  'MeetingUnlocked',
  'ParticipantAllowedBack',
]);

export const isHostCommand = (command: MeetingCommand): command is HostCommand =>
  hostCommandTypes.has(command.type);
export const isHostEvent = (event: RecordedMeetingEvent): event is HostEvent & RecordedMeetingEvent =>
  hostEventTypes.has(event.type);

const nothingToChange = (message: string, field?: string) =>
  new ConferError('CONFER_NOTHING_TO_CHANGE', message, field);

/** Decides a host command on an active meeting. */
export function decideHost(command: HostCommand, state: MeetingState, actor: Actor): MeetingEvent[] {
  switch (command.type) {
    case 'SetCoHost': {
      assertHost(actor, state);
      const target = requireOther(state, command.participantId, actor);
      if (target.role === 'host')
        throw new ConferError('CONFER_FORBIDDEN', 'A host is not made co-host', 'participantId');
      const isCoHost = target.role === 'co-host';
      if (isCoHost === command.coHost)
        throw nothingToChange(
          `${target.displayName} is ${command.coHost ? 'already' : 'not'} a co-host`,
          'participantId',
        );
      const participantId = target.participantId;
      return [{ type: command.coHost ? 'CoHostGranted' : 'CoHostRevoked', data: { participantId } }];
    }
    case 'MuteAll': {
      assertModerator(actor, state);
      const selfId = actorParticipantId(actor);
      const muted = Object.values(state.participants)
        .filter((p) => p.status === 'joined' && p.audioEnabled && p.participantId !== selfId)
        .map((p) => p.participantId);
      if (muted.length === 0) throw nothingToChange('Everyone else is already muted');
      return [
        { type: 'EveryoneMuted', data: { byParticipantId: selfId ?? null, participantIds: muted } },
        // Each mute as the ordinary fact too: the SFU pauses those microphones, rosters follow.
        ...muted.map((participantId): MeetingEvent => ({
          type: 'MediaStateChanged',
          data: { participantId, kind: 'audio', enabled: false },
        })),
      ];
    }
    case 'AskToUnmute': {
      assertModerator(actor, state);
      const target = requireOther(state, command.participantId, actor);
      if (target.audioEnabled) throw nothingToChange(`${target.displayName} is not muted`, 'participantId');
      if (target.unmuteRequested)
        throw nothingToChange(`${target.displayName} has already been asked to unmute`, 'participantId');
      return [
        {
          type: 'UnmuteRequested',
          data: { participantId: target.participantId, byParticipantId: actorParticipantId(actor) ?? null },
        },
      ];
    }
    case 'DeclineUnmute': {
      if (actorParticipantId(actor) !== command.participantId)
        throw new ConferError('CONFER_FORBIDDEN', 'Only the person asked can dismiss it', 'participantId');
      const target = requireJoined(state, command.participantId);
      if (!target.unmuteRequested) throw nothingToChange('Nobody asked you to unmute', 'participantId');
      return [{ type: 'UnmuteRequestDeclined', data: { participantId: target.participantId } }];
    }
    case 'SetMeetingLock': {
      assertHost(actor, state);
      if (state.locked === command.locked)
        throw nothingToChange(`The meeting is already ${command.locked ? 'locked' : 'unlocked'}`, 'locked');
      return [{ type: command.locked ? 'MeetingLocked' : 'MeetingUnlocked', data: {} }];
    }
    case 'AllowBack': {
      assertModerator(actor, state);
      if (!state.participants[command.participantId])
        throw new ConferError('CONFER_PARTICIPANT_NOT_FOUND', undefined, 'participantId');
      if (!state.barred[command.participantId])
        throw nothingToChange('This person was not removed, or was already let back', 'participantId');
      return [{ type: 'ParticipantAllowedBack', data: { participantId: command.participantId } }];
    }
  }
}

/** A joined participant other than the actor. */
function requireOther(state: MeetingState, participantId: string, actor: Actor): ParticipantState {
  if (actorParticipantId(actor) === participantId)
    throw new ConferError('CONFER_FORBIDDEN', 'Not on yourself', 'participantId');
  return requireJoined(state, participantId);
}

function requireJoined(state: MeetingState, participantId: string): ParticipantState {
  const p = state.participants[participantId];
  if (!p) throw new ConferError('CONFER_PARTICIPANT_NOT_FOUND', undefined, 'participantId');
  if (p.status !== 'joined')
    throw new ConferError('CONFER_PARTICIPANT_NOT_JOINED', undefined, 'participantId');
  return p;
}

export function evolveHost(state: MeetingState, event: HostEvent): MeetingState {
  switch (event.type) {
    case 'HostRoleHandedOver': {
      const { fromParticipantId, toParticipantId } = event.data;
      const next = setRole(state, fromParticipantId, 'participant');
      return setRole(next, toParticipantId, 'host');
    }
    case 'CoHostGranted':
      return setRole(state, event.data.participantId, 'co-host');
    case 'CoHostRevoked':
      return setRole(state, event.data.participantId, 'participant');
    case 'EveryoneMuted':
      // The MediaStateChanged that follow carry the change.
      return state;
    case 'UnmuteRequested':
      return patch(state, event.data.participantId, { unmuteRequested: true });
    case 'UnmuteRequestDeclined':
      return patch(state, event.data.participantId, { unmuteRequested: false });
    case 'MeetingLocked':
      return { ...state, locked: true };
    case 'MeetingUnlocked':
      return { ...state, locked: false };
    case 'ParticipantAllowedBack': {
      const barred = { ...state.barred };
      delete barred[event.data.participantId];
      return { ...state, barred };
    }
  }
}

function setRole(state: MeetingState, participantId: string, role: ParticipantState['role']): MeetingState {
  return patch(state, participantId, { role });
}

function patch(state: MeetingState, participantId: string, changes: Partial<ParticipantState>): MeetingState {
  const p = state.participants[participantId];
  if (!p) return state;
  return { ...state, participants: { ...state.participants, [participantId]: { ...p, ...changes } } };
}
