import type { ParticipantState } from '../../domain/meeting/meeting.state';
import type { Replayed } from './replay';

export { StateAtSchema, type StateAt, type ParticipantAt } from '../../protocol/audit-views';
import type { StateAt, ParticipantAt } from '../../protocol/audit-views';

const participantAt = (p: ParticipantState): ParticipantAt => ({
  participantId: p.participantId,
  displayName: p.displayName,
  role: p.role,
  status: p.status,
  joinTime: p.joinTime,
  leftTime: p.leftTime,
  connection: { status: p.connectionStatus, node: p.connectedNode },
  media: { audio: p.audioEnabled, video: p.videoEnabled, screen: p.screenSharing },
  handRaised: p.handRaised,
  published: Object.values(p.media).map((m) => ({ ...m })),
});

export function stateAtView(
  meetingId: string,
  replayed: Replayed,
  headRevision: number,
  requested: string | null,
): StateAt {
  const { state } = replayed;
  const everyone = Object.values(state.participants);
  const byJoin = (a: ParticipantState, b: ParticipantState) =>
    (a.joinTime ?? '').localeCompare(b.joinTime ?? '') || a.participantId.localeCompare(b.participantId);
  const joined = everyone.filter((p) => p.status === 'joined').sort(byJoin);
  const last = replayed.recentChat[replayed.recentChat.length - 1];
  return {
    meetingId,
    revision: replayed.revision,
    occurredAt: replayed.occurredAt,
    requested,
    headRevision,
    status: state.status,
    title: state.title,
    createdAt: state.createdAt,
    endedAt: state.endedAt,
    settings: {
      muteOnEntry: state.settings.muteOnEntry,
      videoOffOnEntry: state.settings.videoOffOnEntry,
      waitingRoom: state.settings.waitingRoom,
      maxParticipants: state.settings.maxParticipants,
      passcodeRequired: state.settings.passcodeDigest !== null,
    },
    mediaNode: state.mediaNode?.nodeId ?? null,
    roster: joined.map(participantAt),
    waitingRoom: everyone.filter((p) => p.status === 'waiting').map(participantAt),
    departed: everyone
      .filter((p) => p.status === 'left' || p.status === 'denied' || p.status === 'removed')
      .map(participantAt),
    presenterIds: joined.filter((p) => p.screenSharing).map((p) => p.participantId),
    activeSpeakerId: state.activeSpeakerId,
    recording: null,
    chat: { count: state.chatCount, lastMessageId: last?.messageId ?? null, recent: replayed.recentChat },
  };
}
