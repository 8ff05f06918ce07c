import type { ServerToClientEvents } from '../../../protocol/signaling';
import {
  mergeChat,
  patchParticipant,
  removeParticipant,
  upsertParticipant,
  type MeetingClientState,
  type Phase,
} from './meeting-state';

type Payload<K extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[K]>[0];

const LEFT_PHASE: Record<Payload<'participant-left'>['reason'], Phase> = {
  left: 'left',
  disconnected: 'expired',
  'meeting-ended': 'ended',
  removed: 'removed',
  denied: 'denied',
};

/**
 * How each meeting broadcast changes what this client shows: a pure function of the state and
 * the message. Side effects (media, notices) are the session's business.
 */
export function reduceMessage(
  state: MeetingClientState,
  event: keyof ServerToClientEvents,
  payload: unknown,
): MeetingClientState {
  switch (event) {
    case 'participant-joined': {
      const { participant } = payload as Payload<'participant-joined'>;
      return upsertParticipant(state, participant);
    }
    case 'participant-left': {
      const { participantId, reason } = payload as Payload<'participant-left'>;
      if (participantId === state.selfId) return { ...state, phase: LEFT_PHASE[reason] };
      return removeParticipant(state, participantId);
    }
    case 'participant-waiting': {
      const { participant } = payload as Payload<'participant-waiting'>;
      return { ...state, waiting: { ...state.waiting, [participant.participantId]: participant } };
    }
    case 'admitted':
    case 'denied': {
      const { participantId } = payload as Payload<'admitted'>;
      if (participantId === state.selfId) return event === 'denied' ? { ...state, phase: 'denied' } : state;
      const waiting = { ...state.waiting };
      delete waiting[participantId];
      return { ...state, waiting };
    }
    case 'chat': {
      const message = payload as Payload<'chat'>;
      const next = mergeChat(state, [message]);
      const unseen = next !== state && state.panel !== 'chat' && message.from !== state.selfId;
      return unseen ? { ...next, unread: next.unread + 1 } : next;
    }
    case 'media-update': {
      const { participantId, audio, video, screen } = payload as Payload<'media-update'>;
      return patchParticipant(state, participantId, {
        audioEnabled: audio,
        videoEnabled: video,
        screenSharing: screen,
      });
    }
    case 'hand-raised':
    case 'hand-lowered': {
      const { participantId } = payload as Payload<'hand-raised'>;
      return patchParticipant(state, participantId, { handRaised: event === 'hand-raised' });
    }
    case 'connection-update': {
      const { participantId, connectionStatus } = payload as Payload<'connection-update'>;
      return patchParticipant(state, participantId, { connectionStatus });
    }
    case 'active-speaker': {
      const { participantId } = payload as Payload<'active-speaker'>;
      return { ...state, activeSpeakerId: participantId };
    }
    case 'meeting-ended':
      return { ...state, phase: 'ended' };
    case 'media:quality': {
      const { participants } = payload as Payload<'media:quality'>;
      return { ...state, quality: { ...state.quality, ...participants } };
    }
    default:
      return state;
  }
}
