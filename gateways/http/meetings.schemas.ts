import type { ParticipantView } from '../../protocol/signaling';
import type { MeetingSummary } from './meeting-queries';

/** The REST views of a meeting, built from the read models (schemas in protocol/rest.ts). */

export { ErrorResponseSchema } from '../../protocol/ack';
import type { MeetingSummaryView, MeetingView } from '../../protocol/rest';

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
