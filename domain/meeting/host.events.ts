import { z } from 'zod';

/**
 * The host's tools as facts of the meeting's stream (meeting.events.ts spreads them in): who holds
 * the host and co-host roles, muting everyone, asking someone to unmute, locking the meeting, and
 * letting a removed person back. Released schemas are never edited: a change is a new version
 * plus an upcaster.
 */
const id = z.string().min(1);

export const HostRoleHandoverReasonSchema = z.enum([
  /** The leaving host chose who takes over. */
  'handed-over',
  /** The last host left without choosing: the succession rule chose. */
  'host-left',
  /** The last host's connection was lost past the grace period: the succession rule chose. */
  'host-lost',
]);
export type HostRoleHandoverReason = z.infer<typeof HostRoleHandoverReasonSchema>;

export const HostEventSchemas = {
  /** `toParticipantId` is a host from now on; `fromParticipantId` no longer is (they are leaving). */
  HostRoleHandedOver: {
    1: z.object({ fromParticipantId: id, toParticipantId: id, reason: HostRoleHandoverReasonSchema }),
  },
  /** A host made a participant co-host: they may admit, deny, remove and mute, not end or lock. */
  CoHostGranted: { 1: z.object({ participantId: id }) },
  CoHostRevoked: { 1: z.object({ participantId: id }) },
  /**
   * A host or co-host muted everyone's microphone (the MediaStateChanged of each follows, so the
   * SFU pauses their audio): `participantIds` are those it muted; each may unmute themselves.
   */
  EveryoneMuted: { 1: z.object({ byParticipantId: id.nullable(), participantIds: z.array(id) }) },
  /** A host or co-host asked a muted participant to unmute (never done for them). */
  UnmuteRequested: { 1: z.object({ participantId: id, byParticipantId: id.nullable() }) },
  /** The participant dismissed the request to unmute. */
  UnmuteRequestDeclined: { 1: z.object({ participantId: id }) },
  /** Nobody new may join or knock until the meeting is unlocked. */
  MeetingLocked: { 1: z.object({}) },
  MeetingUnlocked: { 1: z.object({}) },
  /** A removed person (their device and user id) may join again. */
  ParticipantAllowedBack: { 1: z.object({ participantId: id }) },
} as const;

export const HostEventVersions = {
  HostRoleHandedOver: 1,
  CoHostGranted: 1,
  CoHostRevoked: 1,
  EveryoneMuted: 1,
  UnmuteRequested: 1,
  UnmuteRequestDeclined: 1,
  MeetingLocked: 1,
  MeetingUnlocked: 1,
  ParticipantAllowedBack: 1,
} as const;
