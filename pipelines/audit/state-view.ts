import type { MeetingState, ParticipantState } from '../../domain/meeting/meeting.state';
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

/** The latest recording (by start) in the replayed state. */
function recordingAt(state: MeetingState): StateAt['recording'] {
  const all = Object.values(state.recordings).sort(
    (a, b) => a.startedAt.localeCompare(b.startedAt) || a.recordingId.localeCompare(b.recordingId),
  );
  const r = all.at(-1);
  if (!r) return null;
  return {
    recordingId: r.recordingId,
    status: r.status,
    startedAt: r.startedAt,
    stoppedAt: r.stoppedAt,
    segments: r.segments,
    file: r.file
      ? {
          key: r.file.key,
          durationSeconds: r.file.durationSeconds,
          sizeBytes: r.file.sizeBytes,
          sha256: r.file.sha256,
        }
      : null,
    failure: r.failure ? { stage: r.failure.stage, reason: r.failure.reason } : null,
    count: all.length,
  };
}

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
    recording: recordingAt(state),
    chat: { count: state.chatCount, lastMessageId: last?.messageId ?? null, recent: replayed.recentChat },
  };
}
