import { z } from 'zod';
import { ParticipantRecordSchema } from '../../protocol/rest';

/**
 * One document per participant (partition meetingId / key participantId), so an event of one
 * participant in a 500-person meeting rewrites one small document, not the whole roster.
 */
export const ROSTER = 'roster';
/** Per meeting (partition '' / key meetingId): what is not about one participant. */
export const ROSTER_MEETINGS = 'roster_meetings';

/** The participant as the REST API shows it, plus what the projection needs to keep. */
export const RosterParticipantSchema = ParticipantRecordSchema.extend({
  leftTime: z.string().nullable(),
  /** When the hand went up (hosts answer hands in order); null while it is down. */
  handRaisedAt: z.string().nullable(),
});
export type RosterParticipant = z.infer<typeof RosterParticipantSchema>;

export const RosterMeetingSchema = z.object({
  meetingId: z.string(),
  activeSpeakerId: z.string().nullable(),
});
export type RosterMeeting = z.infer<typeof RosterMeetingSchema>;
