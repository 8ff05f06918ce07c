import type { AnyServerMessage } from '../../../protocol/signaling';
import { moderates, patchParticipant, type MeetingClientState } from './meeting-state';

/**
 * How the host tools' broadcasts change what this client shows (message-reducer.ts hands them
 * here): roles, the lock, the removed list, a request to unmute. Pure, like the reducer.
 */
export function reduceHostMessage(state: MeetingClientState, message: AnyServerMessage): MeetingClientState {
  switch (message.type) {
    case 'role-changed': {
      const { participantId, role, previousHostId } = message;
      let next = patchParticipant(state, participantId, { role });
      if (previousHostId) next = patchParticipant(next, previousHostId, { role: 'participant' });
      if (participantId !== state.selfId) return next;
      return { ...next, isHost: role === 'host', isCoHost: role === 'co-host' };
    }
    case 'moderator-briefing': {
      const waiting = Object.fromEntries(message.waiting.map((p) => [p.participantId, p]));
      const barred = Object.fromEntries(message.barred.map((b) => [b.participantId, b]));
      return { ...state, waiting, barred, meeting: { ...state.meeting, locked: message.locked } };
    }
    case 'meeting-lock':
      return { ...state, meeting: { ...state.meeting, locked: message.locked } };
    case 'allowed-back': {
      const barred = { ...state.barred };
      delete barred[message.participantId];
      return { ...state, barred };
    }
    case 'unmute-requested': {
      if (message.participantId !== state.selfId) return state;
      const by = message.byParticipantId ? state.participants[message.byParticipantId] : undefined;
      return { ...state, unmuteRequest: { byName: by?.displayName ?? 'The host' } };
    }
    case 'unmute-declined':
      return message.participantId === state.selfId ? { ...state, unmuteRequest: null } : state;
    case 'media-update':
      // Unmuting answers the request.
      return message.participantId === state.selfId && message.audio
        ? { ...state, unmuteRequest: null }
        : state;
    default:
      return state;
  }
}

/** A removal seen by a host or co-host: the person joins the list of those who may be let back. */
export function noteRemoval(
  before: MeetingClientState,
  after: MeetingClientState,
  participantId: string,
): MeetingClientState {
  const person = before.participants[participantId] ?? before.waiting[participantId];
  if (!person || !moderates(before)) return after;
  return {
    ...after,
    barred: { ...after.barred, [participantId]: { participantId, displayName: person.displayName } },
  };
}
