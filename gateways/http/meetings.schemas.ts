import { z } from 'zod';
import type { ParticipantView } from '../../protocol/signaling';
import type { MeetingSummary } from './meeting-queries';

export { ErrorResponseSchema } from '../../protocol/ack';

/** The seed's participant fields, plus role, hand and screen state. */
export const ParticipantViewSchema = z.object({
  participantId: z.string(),
  displayName: z.string(),
  userId: z.string().nullable(),
  role: z.enum(['host', 'co-host', 'participant']),
  status: z.enum(['waiting', 'joined', 'left', 'denied', 'removed']),
  joinTime: z.string().nullable(),
  connectionStatus: z.enum(['connecting', 'connected', 'reconnecting', 'disconnected']),
  audioEnabled: z.boolean(),
  videoEnabled: z.boolean(),
  screenSharing: z.boolean(),
  handRaised: z.boolean(),
});

export const MeetingViewSchema = z.object({
  meetingId: z.string(),
  title: z.string(),
  host: z.object({ userId: z.string().nullable(), participantIds: z.array(z.string()) }),
  participants: z.array(ParticipantViewSchema),
  status: z.enum(['active', 'ended']),
  startTime: z.string().nullable(),
  createdAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  participantCount: z.number(),
  settings: z.object({
    muteOnEntry: z.boolean(),
    videoOffOnEntry: z.boolean(),
    waitingRoom: z.boolean(),
    maxParticipants: z.number(),
    passcodeRequired: z.boolean(),
  }),
});
export type MeetingView = z.infer<typeof MeetingViewSchema>;

/** What anyone with the link may see: what a pre-join page needs, nothing about who is in it. */
export const MeetingSummaryViewSchema = z.object({
  meetingId: z.string(),
  title: z.string(),
  status: z.enum(['active', 'ended']),
  settings: z.object({
    muteOnEntry: z.boolean(),
    videoOffOnEntry: z.boolean(),
    waitingRoom: z.boolean(),
    passcodeRequired: z.boolean(),
  }),
});
export type MeetingSummaryView = z.infer<typeof MeetingSummaryViewSchema>;

export function toMeetingSummaryView(meeting: MeetingSummary): MeetingSummaryView {
  const { muteOnEntry, videoOffOnEntry, waitingRoom, passcodeRequired } = meeting.settings;
  return {
    meetingId: meeting.meetingId,
    title: meeting.title,
    status: meeting.status,
    settings: { muteOnEntry, videoOffOnEntry, waitingRoom, passcodeRequired },
  };
}

export function toMeetingView(meeting: MeetingSummary, roster: ParticipantView[]): MeetingView {
  const participants = roster.filter((p) => p.status === 'joined');
  return {
    meetingId: meeting.meetingId,
    title: meeting.title,
    host: {
      userId: meeting.hostUserId,
      participantIds: participants.filter((p) => p.role === 'host').map((p) => p.participantId),
    },
    participants,
    status: meeting.status,
    startTime: meeting.startTime,
    createdAt: meeting.createdAt,
    endedAt: meeting.endedAt,
    participantCount: meeting.participantCount,
    settings: meeting.settings,
  };
}
