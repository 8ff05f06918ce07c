import type { ProjectionWriter } from '../../domain/ports/projection-store';
import { meetingEventOf } from '../meeting-event';
import type { Projection } from '../projection';
import { ROSTER, ROSTER_MEETINGS, type RosterMeeting, type RosterParticipant } from './roster.model';

/**
 * Who is in each meeting and in what state. The rules mirror `evolve` in
 * domain/meeting/meeting.decider.ts (a roster spec compares the two after the same commands):
 * a join or a wait replaces the participant, leaving resets their live state, events about an
 * unknown participant change nothing.
 */
export function rosterProjection(): Projection {
  return {
    name: 'roster',
    version: 1,
    collections: [ROSTER, ROSTER_MEETINGS],
    async apply(stored, tx) {
      const event = meetingEventOf(stored);
      if (!event) return;
      const meetingId = stored.meetingId;
      const at = stored.occurredAt;
      switch (event.type) {
        case 'MeetingCreated':
          return setActiveSpeaker(tx, meetingId, null);
        case 'ParticipantWaiting': {
          const { participantId, displayName, userId } = event.data;
          return put(tx, meetingId, newParticipant(participantId, displayName, userId));
        }
        case 'ParticipantJoined': {
          const { participantId, displayName, userId, role, audioEnabled, videoEnabled } = event.data;
          // Admitted from the waiting room: their connection carries over.
          const waiting = await tx.get<RosterParticipant>(ROSTER, meetingId, participantId);
          return put(tx, meetingId, {
            ...newParticipant(participantId, displayName, userId),
            ...(waiting?.status === 'waiting' ? { connectionStatus: waiting.connectionStatus } : {}),
            role,
            status: 'joined',
            joinTime: at,
            audioEnabled,
            videoEnabled,
          });
        }
        case 'ParticipantDenied':
          return gone(tx, meetingId, event.data.participantId, 'denied', at);
        case 'ParticipantLeft':
          return gone(tx, meetingId, event.data.participantId, 'left', at);
        case 'ParticipantRemoved':
          return gone(tx, meetingId, event.data.participantId, 'removed', at);
        case 'ParticipantConnectionChanged':
          return patch(tx, meetingId, event.data.participantId, {
            connectionStatus: event.data.connectionStatus,
          });
        case 'MediaStateChanged': {
          const { participantId, kind, enabled } = event.data;
          const field =
            kind === 'audio' ? 'audioEnabled' : kind === 'video' ? 'videoEnabled' : 'screenSharing';
          return patch(tx, meetingId, participantId, { [field]: enabled });
        }
        case 'HandRaised':
          return patch(tx, meetingId, event.data.participantId, { handRaised: true, handRaisedAt: at });
        case 'HandLowered':
          return patch(tx, meetingId, event.data.participantId, { handRaised: false, handRaisedAt: null });
        case 'ActiveSpeakerChanged':
          return setActiveSpeaker(tx, meetingId, event.data.participantId);
        case 'MeetingEnded':
          return setActiveSpeaker(tx, meetingId, null);
        case 'HostRoleHandedOver':
          // The leaving host's own departure follows; everyone sees who the host is now.
          await patch(tx, meetingId, event.data.fromParticipantId, { role: 'participant' });
          return patch(tx, meetingId, event.data.toParticipantId, { role: 'host' });
        case 'CoHostGranted':
          return patch(tx, meetingId, event.data.participantId, { role: 'co-host' });
        case 'CoHostRevoked':
          return patch(tx, meetingId, event.data.participantId, { role: 'participant' });
        default:
          // Admitted is followed by its own ParticipantJoined; chat and published media are not
          // part of the roster.
          return;
      }
    },
  };
}

function newParticipant(
  participantId: string,
  displayName: string,
  userId: string | null,
): RosterParticipant {
  return {
    participantId,
    displayName,
    userId,
    role: 'participant',
    status: 'waiting',
    joinTime: null,
    leftTime: null,
    connectionStatus: 'connecting',
    audioEnabled: false,
    videoEnabled: false,
    screenSharing: false,
    handRaised: false,
    handRaisedAt: null,
  };
}

const put = (tx: ProjectionWriter, meetingId: string, participant: RosterParticipant) =>
  tx.put(ROSTER, meetingId, participant.participantId, participant);

async function patch(
  tx: ProjectionWriter,
  meetingId: string,
  participantId: string,
  changes: Partial<RosterParticipant>,
): Promise<void> {
  const current = await tx.get<RosterParticipant>(ROSTER, meetingId, participantId);
  if (current) await put(tx, meetingId, { ...current, ...changes });
}

async function gone(
  tx: ProjectionWriter,
  meetingId: string,
  participantId: string,
  status: 'left' | 'denied' | 'removed',
  at: string,
): Promise<void> {
  await patch(tx, meetingId, participantId, {
    status,
    leftTime: at,
    connectionStatus: 'disconnected',
    handRaised: false,
    handRaisedAt: null,
    screenSharing: false,
  });
  const meeting = await tx.get<RosterMeeting>(ROSTER_MEETINGS, '', meetingId);
  if (meeting?.activeSpeakerId === participantId) await setActiveSpeaker(tx, meetingId, null);
}

function setActiveSpeaker(tx: ProjectionWriter, meetingId: string, activeSpeakerId: string | null) {
  const doc: RosterMeeting = { meetingId, activeSpeakerId };
  return tx.put(ROSTER_MEETINGS, '', meetingId, doc);
}
