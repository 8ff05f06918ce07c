import type { MeetingEvent } from '../../domain/meeting/meeting.events';
import type { MeetingState } from '../../domain/meeting/meeting.state';
import type { OutgoingMessage } from './rooms';
import { barredViews, participantViewFromState } from './participant-views';
import { Rooms, type Translation } from './rooms';

/**
 * The host tools' events as socket messages (event-messages.ts asks here first): everyone sees
 * who the host and co-hosts are and whether the meeting is locked; the person asked to unmute is
 * asked; whoever becomes host or co-host is briefed on the waiting room. Undefined for any other
 * event. `state` may be newer than the event, never older.
 */
export function translateHostEvent(
  event: MeetingEvent,
  seq: number,
  state: MeetingState | undefined,
): Translation | undefined {
  const everyone = [Rooms.joined];
  switch (event.type) {
    case 'HostRoleHandedOver': {
      const { fromParticipantId, toParticipantId, reason } = event.data;
      return {
        changes: [{ kind: 'promote', participantId: toParticipantId }],
        messages: [
          {
            to: [...everyone, Rooms.hosts],
            event: 'role-changed',
            payload: {
              participantId: toParticipantId,
              role: 'host',
              reason,
              previousHostId: fromParticipantId,
              seq,
            },
          },
          ...briefing(toParticipantId, seq, state),
        ],
      };
    }
    case 'CoHostGranted':
    case 'CoHostRevoked': {
      const { participantId } = event.data;
      const granted = event.type === 'CoHostGranted';
      return {
        changes: [{ kind: granted ? 'promote' : 'demote', participantId }],
        messages: [
          {
            to: [...everyone, Rooms.hosts],
            event: 'role-changed',
            payload: {
              participantId,
              role: granted ? 'co-host' : 'participant',
              reason: granted ? 'granted' : 'revoked',
              previousHostId: null,
              seq,
            },
          },
          ...(granted ? briefing(participantId, seq, state) : []),
        ],
      };
    }
    case 'EveryoneMuted': {
      const { byParticipantId, participantIds } = event.data;
      return {
        changes: [],
        messages: [
          { to: everyone, event: 'everyone-muted', payload: { byParticipantId, participantIds, seq } },
        ],
      };
    }
    case 'UnmuteRequested': {
      const { participantId, byParticipantId } = event.data;
      return {
        changes: [],
        messages: [
          {
            to: [Rooms.participant(participantId), Rooms.hosts],
            event: 'unmute-requested',
            payload: { participantId, byParticipantId, seq },
          },
        ],
      };
    }
    case 'UnmuteRequestDeclined': {
      const { participantId } = event.data;
      return {
        changes: [],
        messages: [
          {
            to: [Rooms.participant(participantId), Rooms.hosts],
            event: 'unmute-declined',
            payload: { participantId, seq },
          },
        ],
      };
    }
    case 'MeetingLocked':
    case 'MeetingUnlocked':
      return {
        changes: [],
        messages: [
          {
            to: [...everyone, Rooms.hosts],
            event: 'meeting-lock',
            payload: { locked: event.type === 'MeetingLocked', seq },
          },
        ],
      };
    case 'ParticipantAllowedBack':
      return {
        changes: [],
        messages: [
          {
            to: [Rooms.hosts],
            event: 'allowed-back',
            payload: { participantId: event.data.participantId, seq },
          },
        ],
      };
    default:
      return undefined;
  }
}

/** What a new host or co-host needs at once: who waits, who was removed, whether it is locked. */
function briefing(participantId: string, seq: number, state: MeetingState | undefined): OutgoingMessage[] {
  if (!state) return [];
  const waiting = Object.keys(state.participants)
    .map((id) => participantViewFromState(state, id))
    .filter((p): p is NonNullable<typeof p> => p?.status === 'waiting');
  return [
    {
      to: [Rooms.participant(participantId)],
      event: 'moderator-briefing',
      payload: { waiting, barred: barredViews(state), locked: state.locked, seq },
    },
  ];
}
