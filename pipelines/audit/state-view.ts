import { z } from 'zod';
import type { ParticipantState } from '../../domain/meeting/meeting.state';
import type { Replayed } from './replay';

/** What `GET /meetings/{id}/state?at=` answers: the meeting as it stood at one revision. */
const ParticipantAtSchema = z.object({
  participantId: z.string(),
  displayName: z.string(),
  role: z.enum(['host', 'participant']),
  status: z.enum(['waiting', 'joined', 'left', 'denied', 'removed']),
  joinTime: z.string().nullable(),
  leftTime: z.string().nullable(),
  connection: z.object({
    status: z.enum(['connecting', 'connected', 'reconnecting', 'disconnected']),
    node: z.string().nullable(),
  }),
  media: z.object({ audio: z.boolean(), video: z.boolean(), screen: z.boolean() }),
  handRaised: z.boolean(),
  published: z.array(
    z.object({ producerId: z.string(), source: z.string(), kind: z.string(), nodeId: z.string().nullable() }),
  ),
});

export const StateAtSchema = z.object({
  meetingId: z.string(),
  /** Where the replay stopped: the last event applied, and when it was recorded. */
  revision: z.number().int(),
  occurredAt: z.string().nullable(),
  /** What was asked (a revision, a time, or null for the head). */
  requested: z.string().nullable(),
  headRevision: z.number().int(),
  status: z.enum(['none', 'active', 'ended']),
  title: z.string(),
  createdAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  settings: z.object({
    muteOnEntry: z.boolean(),
    videoOffOnEntry: z.boolean(),
    waitingRoom: z.boolean(),
    maxParticipants: z.number(),
    passcodeRequired: z.boolean(),
  }),
  mediaNode: z.string().nullable(),
  /** Joined participants, in order of joining. */
  roster: z.array(ParticipantAtSchema),
  waitingRoom: z.array(ParticipantAtSchema),
  /** Everyone who was there and is not any more (left, denied, removed). */
  departed: z.array(ParticipantAtSchema),
  presenterIds: z.array(z.string()),
  activeSpeakerId: z.string().nullable(),
  /** Recording is not yet an event of the meeting stream: null until it is. */
  recording: z.null(),
  chat: z.object({
    count: z.number().int(),
    lastMessageId: z.string().nullable(),
    recent: z.array(
      z.object({
        messageId: z.string(),
        senderId: z.string(),
        senderName: z.string(),
        content: z.string(),
        at: z.string(),
        revision: z.number().int(),
      }),
    ),
  }),
});
export type StateAt = z.infer<typeof StateAtSchema>;
export type ParticipantAt = z.infer<typeof ParticipantAtSchema>;

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
