import type { AnyServerMessage, ServerPayloads } from '../../../protocol/signaling';
import { showReaction } from './reactions-state';
import {
  mergeChat,
  patchParticipant,
  removeParticipant,
  upsertParticipant,
  type MeetingClientState,
  type Phase,
} from './meeting-state';
import { noteRemoval, reduceHostMessage } from './host-messages';

const LEFT_PHASE: Record<ServerPayloads['participant-left']['reason'], Phase> = {
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
export function reduceMessage(state: MeetingClientState, message: AnyServerMessage): MeetingClientState {
  switch (message.type) {
    case 'participant-joined': {
      const { participant } = message;
      return upsertParticipant(state, participant);
    }
    case 'participant-left': {
      const { participantId, reason } = message;
      if (participantId === state.selfId) return { ...state, phase: LEFT_PHASE[reason] };
      const after = removeParticipant(state, participantId);
      return reason === 'removed' ? noteRemoval(state, after, participantId) : after;
    }
    case 'participant-waiting': {
      const { participant } = message;
      return { ...state, waiting: { ...state.waiting, [participant.participantId]: participant } };
    }
    case 'admitted':
    case 'denied': {
      const { participantId } = message;
      if (participantId === state.selfId)
        return message.type === 'denied' ? { ...state, phase: 'denied' } : state;
      const waiting = { ...state.waiting };
      delete waiting[participantId];
      return { ...state, waiting };
    }
    case 'chat': {
      const next = mergeChat(state, [message]);
      const unseen = next !== state && state.panel !== 'chat' && message.from !== state.selfId;
      return unseen ? { ...next, unread: next.unread + 1 } : next;
    }
    case 'media-update': {
      const { participantId, audio, video, screen } = message;
      return patchParticipant(reduceHostMessage(state, message), participantId, {
        audioEnabled: audio,
        videoEnabled: video,
        screenSharing: screen,
      });
    }
    case 'hand-raised':
    case 'hand-lowered': {
      const { participantId } = message;
      return patchParticipant(state, participantId, { handRaised: message.type === 'hand-raised' });
    }
    case 'connection-update': {
      const { participantId, connectionStatus } = message;
      return patchParticipant(state, participantId, { connectionStatus });
    }
    case 'active-speaker': {
      const { participantId } = message;
      // Speaker view shows others: my own voice does not displace the last one who spoke.
      const other = participantId !== null && participantId !== state.selfId;
      return {
        ...state,
        activeSpeakerId: participantId,
        lastSpeakerId: other ? participantId : state.lastSpeakerId,
      };
    }
    case 'spotlight':
      return { ...state, spotlightId: message.participantId };
    case 'reaction':
      return showReaction(state, message);
    case 'meeting-ended':
      return { ...state, phase: 'ended', recordingId: null };
    case 'recording-started':
      return { ...state, recordingId: message.recordingId };
    case 'recording-stopped':
      return message.recordingId === state.recordingId ? { ...state, recordingId: null } : state;
    case 'media:quality': {
      const { participants } = message;
      return { ...state, quality: { ...state.quality, ...participants } };
    }
    default:
      return reduceHostMessage(state, message);
  }
}
