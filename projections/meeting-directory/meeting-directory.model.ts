import { z } from 'zod';

/** One document per meeting: partition '' / key meetingId. */
export const MEETINGS = 'meetings';
/**
 * Listing index, newest first: partitions 'all', 'active' and 'ended', key `createdAt|meetingId`
 * (ISO timestamps sort as strings), doc `{ meetingId }`. Filtering by status is then one range
 * read instead of a scan of every meeting.
 */
export const MEETINGS_BY_CREATION = 'meetings_by_creation';
/** Who is joined right now: partition meetingId / key participantId, so a leave of a participant who
 * only waited (or a redelivered join) never moves participantCount. */
export const MEETING_PRESENCE = 'meetings_presence';

export const MeetingStatusSchema = z.enum(['active', 'ended']);
export type MeetingStatus = z.infer<typeof MeetingStatusSchema>;

export const MeetingSummarySchema = z.object({
  meetingId: z.string(),
  title: z.string(),
  hostUserId: z.string().nullable(),
  status: MeetingStatusSchema,
  startTime: z.string().nullable(),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  settings: z.object({
    muteOnEntry: z.boolean(),
    videoOffOnEntry: z.boolean(),
    waitingRoom: z.boolean(),
    maxParticipants: z.number().int(),
    /** Whether joining needs a passcode; the digest itself never leaves the event store. */
    passcodeRequired: z.boolean(),
  }),
  /** Participants joined right now (not waiting, not gone). */
  participantCount: z.number().int().nonnegative(),
  peakParticipants: z.number().int().nonnegative(),
  chatCount: z.number().int().nonnegative(),
});
export type MeetingSummary = z.infer<typeof MeetingSummarySchema>;

export const listingKey = (createdAt: string, meetingId: string): string => `${createdAt}|${meetingId}`;

/** The listing partition of the meetings one user hosts. */
export const hostListing = (hostUserId: string): `host:${string}` => `host:${hostUserId}`;
