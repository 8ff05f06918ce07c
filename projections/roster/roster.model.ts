import { z } from 'zod';

/**
 * One document per participant (partition meetingId / key participantId), so an event of one
 * participant in a 500-person meeting rewrites one small document, not the whole roster.
 */
export const ROSTER = 'roster';
/** Per meeting (partition '' / key meetingId): what is not about one participant. */
export const ROSTER_MEETINGS = 'roster_meetings';

export const RosterParticipantSchema = z.object({
  participantId: z.string(),
  displayName: z.string(),
  userId: z.string().nullable(),
  role: z.enum(['host', 'co-host', 'participant']),
  status: z.enum(['waiting', 'joined', 'left', 'denied', 'removed']),
  joinTime: z.string().nullable(),
  leftTime: z.string().nullable(),
  connectionStatus: z.enum(['connecting', 'connected', 'reconnecting', 'disconnected']),
  audioEnabled: z.boolean(),
  videoEnabled: z.boolean(),
  screenSharing: z.boolean(),
  handRaised: z.boolean(),
  /** When the hand went up (hosts answer hands in order); null while it is down. */
  handRaisedAt: z.string().nullable(),
});
export type RosterParticipant = z.infer<typeof RosterParticipantSchema>;

export const RosterMeetingSchema = z.object({
  meetingId: z.string(),
  activeSpeakerId: z.string().nullable(),
});
export type RosterMeeting = z.infer<typeof RosterMeetingSchema>;
