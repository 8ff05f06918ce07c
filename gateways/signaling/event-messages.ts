import type { MeetingState } from '../../domain/meeting/meeting.state';
import { toMeetingEvent } from '../../domain/meeting/meeting.upcasters';
import type { StoredEvent } from '../../domain/shared/envelope';
import type { ParticipantView } from '../../protocol/signaling';
import { translateHostEvent } from './host-event-messages';
import { Rooms, type Translation } from './rooms';

export { Rooms, type OutgoingMessage, type RoomChange, type Translation } from './rooms';
export { barredViews, participantViewFromState } from './participant-views';

/**
 * Turns one committed event into the seed's socket messages and the room changes they imply.
 * `state` is the meeting as known when broadcasting (for fields the event does not carry, such as
 * the other media kinds of a media-update); it may be newer than the event, never older.
 */
export function translateEvent(event: StoredEvent, state: MeetingState | undefined): Translation {
  const parsed = toMeetingEvent(event);
  const seq = event.streamRevision;
  const none: Translation = { messages: [], changes: [] };
  if (!parsed) return none;
  const everyone = [Rooms.joined];
  const host = translateHostEvent(parsed, seq, state);
  if (host) return host;
  switch (parsed.type) {
    case 'ParticipantJoined': {
      const d = parsed.data;
      const participant: ParticipantView = {
        participantId: d.participantId,
        displayName: d.displayName,
        userId: d.userId,
        role: d.role,
        status: 'joined',
        joinTime: event.occurredAt,
        connectionStatus: 'connecting',
        audioEnabled: d.audioEnabled,
        videoEnabled: d.videoEnabled,
        screenSharing: false,
        handRaised: false,
      };
      return {
        // The participant's own sockets are moved into the meeting first, so they see themselves.
        changes: [{ kind: 'admit', participantId: d.participantId, isHost: d.role === 'host' }],
        messages: [{ to: everyone, event: 'participant-joined', payload: { participant, seq } }],
      };
    }
    case 'ParticipantWaiting': {
      const d = parsed.data;
      const participant: ParticipantView = {
        participantId: d.participantId,
        displayName: d.displayName,
        userId: d.userId,
        role: 'participant',
        status: 'waiting',
        joinTime: null,
        connectionStatus: 'connecting',
        audioEnabled: false,
        videoEnabled: false,
        screenSharing: false,
        handRaised: false,
      };
      return {
        changes: [],
        messages: [{ to: [Rooms.hosts], event: 'participant-waiting', payload: { participant, seq } }],
      };
    }
    case 'ParticipantAdmitted':
      return {
        changes: [],
        messages: [
          {
            to: [Rooms.participant(parsed.data.participantId), Rooms.hosts],
            event: 'admitted',
            payload: { participantId: parsed.data.participantId, seq },
          },
        ],
      };
    case 'ParticipantDenied':
      return {
        changes: [{ kind: 'evict', participantId: parsed.data.participantId }],
        messages: [
          {
            to: [Rooms.participant(parsed.data.participantId), Rooms.hosts],
            event: 'denied',
            payload: { participantId: parsed.data.participantId, seq },
          },
        ],
      };
    case 'ParticipantLeft':
    case 'ParticipantRemoved': {
      const participantId = parsed.data.participantId;
      const reason = parsed.type === 'ParticipantRemoved' ? 'removed' : parsed.data.reason;
      return {
        // Leaves of an ending meeting precede its MeetingEnded, which everyone must still hear:
        // that event ends every connection; the others end the leaver's at once.
        changes: reason === 'meeting-ended' ? [] : [{ kind: 'evict', participantId }],
        messages: [
          {
            to: [...everyone, Rooms.hosts, Rooms.participant(participantId)],
            event: 'participant-left',
            payload: { participantId, reason, seq },
          },
        ],
      };
    }
    case 'ParticipantConnectionChanged': {
      // Which node someone is connected through is the deployment's business, not the clients'.
      const { participantId, connectionStatus } = parsed.data;
      return {
        changes: [],
        messages: [
          { to: everyone, event: 'connection-update', payload: { participantId, connectionStatus, seq } },
        ],
      };
    }
    case 'MediaStateChanged': {
      const { participantId, kind, enabled } = parsed.data;
      const p = state?.participants[participantId];
      const current = {
        audio: p?.audioEnabled ?? false,
        video: p?.videoEnabled ?? false,
        screen: p?.screenSharing ?? false,
      };
      return {
        changes: [],
        messages: [
          {
            to: everyone,
            event: 'media-update',
            payload: { participantId, ...current, [kind]: enabled, seq },
          },
        ],
      };
    }
    case 'ChatMessageSent': {
      const d = parsed.data;
      return {
        changes: [],
        messages: [
          {
            to: everyone,
            event: 'chat',
            payload: {
              messageId: d.messageId,
              from: d.senderId,
              fromName: d.senderName,
              message: d.content,
              timestamp: event.occurredAt,
              seq,
            },
          },
        ],
      };
    }
    case 'HandRaised':
      return {
        changes: [],
        messages: [
          { to: everyone, event: 'hand-raised', payload: { participantId: parsed.data.participantId, seq } },
        ],
      };
    case 'HandLowered':
      return {
        changes: [],
        messages: [
          { to: everyone, event: 'hand-lowered', payload: { participantId: parsed.data.participantId, seq } },
        ],
      };
    case 'ActiveSpeakerChanged':
      return {
        changes: [],
        messages: [
          {
            to: everyone,
            event: 'active-speaker',
            payload: { participantId: parsed.data.participantId, seq },
          },
        ],
      };
    case 'ParticipantSpotlighted':
    case 'SpotlightCleared': {
      const spotlighted = parsed.type === 'ParticipantSpotlighted';
      return {
        changes: [],
        messages: [
          {
            to: everyone,
            event: 'spotlight',
            payload: {
              participantId: spotlighted ? parsed.data.participantId : null,
              reason: parsed.type === 'SpotlightCleared' ? parsed.data.reason : 'spotlighted',
              seq,
            },
          },
        ],
      };
    }
    case 'ReactionSent':
      // Present participants only: the waiting room is in none of the meeting's rooms but its own.
      return {
        changes: [],
        messages: [
          {
            to: everyone,
            event: 'reaction',
            payload: { participantId: parsed.data.participantId, emoji: parsed.data.emoji, seq },
          },
        ],
      };
    case 'MeetingEnded':
      return {
        changes: [{ kind: 'end' }],
        messages: [
          {
            to: [Rooms.joined, Rooms.hosts],
            event: 'meeting-ended',
            payload: { reason: parsed.data.reason, seq },
          },
        ],
      };
    case 'PasscodeLockoutStarted': {
      // Someone is guessing the passcode: the hosts hear it (auditors read it in the history).
      const { scope, failures, lockedForSeconds } = parsed.data;
      return {
        messages: [
          {
            to: [Rooms.hosts],
            event: 'passcode-lockout',
            payload: { scope, failures, lockedForSeconds, seq },
          },
        ],
        changes: [],
      };
    }
    case 'RecordingStarted':
      return {
        changes: [],
        messages: [
          {
            to: [Rooms.joined, Rooms.hosts],
            event: 'recording-started',
            payload: { recordingId: parsed.data.recordingId, seq },
          },
        ],
      };
    case 'RecordingStopped':
      return {
        changes: [],
        messages: [
          {
            to: [Rooms.joined, Rooms.hosts],
            event: 'recording-stopped',
            payload: { recordingId: parsed.data.recordingId, reason: parsed.data.reason, seq },
          },
        ],
      };
    case 'RecordingFailed':
      // Capture breaking off ends the recording for everyone; later failures concern only the file.
      if (parsed.data.stage !== 'capture') return none;
      return {
        changes: [],
        messages: [
          {
            to: [Rooms.joined, Rooms.hosts],
            event: 'recording-stopped',
            payload: { recordingId: parsed.data.recordingId, reason: 'failed', seq },
          },
        ],
      };
    case 'RecordingSegmentStored':
    case 'RecordingTrackStarted':
    case 'RecordingTrackClosed':
    case 'RecordingAvailable':
      // The host's list of recordings (REST) says how processing goes.
      return none;
    case 'MeetingCreated':
    case 'MediaPublished':
    case 'MediaUnpublished':
    case 'MediaNodeAssigned':
    case 'ParticipantPlaced':
      // Media producers are announced by the SFU controller, which knows the consumers to create;
      // placement reaches each participant in the answer to join and to /connection.
      return none;
    case 'HostRoleHandedOver':
    case 'CoHostGranted':
    case 'CoHostRevoked':
    case 'EveryoneMuted':
    case 'UnmuteRequested':
    case 'UnmuteRequestDeclined':
    case 'MeetingLocked':
    case 'MeetingUnlocked':
    case 'ParticipantAllowedBack':
      // The host's tools: translated by host-event-messages.ts above, never reached here.
      return none;
  }
}
