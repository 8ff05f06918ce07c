import { z } from 'zod';
import { MediaKindSchema, MeetingSettingsSchema } from './meeting.events';
import { HostCommandSchemas } from './host.commands';
import { RecordingCommandSchemas } from './recording.commands';
import { StageCommandSchemas } from './stage.commands';

/** Chat content limit, in UTF-8 bytes. */
export const MAX_CHAT_BYTES = 4096;

const id = z.string().min(1);

/**
 * Commands: what an actor asks for. The acting participant comes from the command's context
 * (the verified token), never from these fields; `participantId` here names the target.
 */
export const MeetingCommandSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('CreateMeeting'),
    meetingId: id,
    title: z.string().min(1).max(200),
    startTime: z.string().nullable(),
    hostUserId: z.string().nullable(),
    settings: MeetingSettingsSchema,
  }),
  z.object({
    type: z.literal('JoinMeeting'),
    participantId: id,
    displayName: z.string().min(1).max(100),
    userId: z.string().nullable(),
    passcodeDigest: z.string().nullable(),
    audioEnabled: z.boolean(),
    videoEnabled: z.boolean(),
    /** The client's stable per-browser id (its local storage), when it sends one. */
    deviceId: z.string().min(1).max(100).nullable().optional(),
    /** When the gateway received the request (its clock): what a knock's cooldown is measured against. */
    requestedAt: z.string().optional(),
  }),
  z.object({ type: z.literal('AdmitParticipant'), participantId: id }),
  z.object({ type: z.literal('DenyParticipant'), participantId: id }),
  z.object({
    type: z.literal('LeaveMeeting'),
    participantId: id,
    reason: z.enum(['left', 'disconnected']),
    /** A leaving host's choice of who takes the host role over. */
    successorId: id.optional(),
  }),
  z.object({ type: z.literal('RemoveParticipant'), participantId: id }),
  z.object({
    type: z.literal('ChangeMediaState'),
    participantId: id,
    kind: MediaKindSchema,
    enabled: z.boolean(),
  }),
  z.object({ type: z.literal('SendChatMessage'), messageId: id, content: z.string() }),
  z.object({ type: z.literal('RaiseHand'), participantId: id }),
  z.object({ type: z.literal('LowerHand'), participantId: id }),
  z.object({
    type: z.literal('SetConnectionStatus'),
    participantId: id,
    connectionStatus: z.enum(['connected', 'reconnecting']),
    /**
     * The node whose socket reports it. Connected: the participant is now reached through it.
     * Reconnecting: its connection through that node was lost (ignored when they are already back
     * through another node).
     */
    nodeId: id.optional(),
  }),
  z.object({ type: z.literal('ChangeActiveSpeaker'), participantId: id.nullable() }),
  z.object({
    type: z.literal('PublishMedia'),
    participantId: id,
    producerId: id,
    source: z.enum(['microphone', 'camera', 'screen']),
    kind: z.enum(['audio', 'video']),
    paused: z.boolean(),
    /** The node whose SFU hosts the producer. */
    nodeId: id.nullable().optional(),
  }),
  z.object({ type: z.literal('UnpublishMedia'), participantId: id, producerId: id }),
  z.object({ type: z.literal('EndMeeting') }),
  /** Placement: the node chosen to host the meeting's media (recorded so it survives restarts). */
  z.object({
    type: z.literal('AssignMediaNode'),
    nodeId: id,
    url: z.string().min(1),
    replacing: id.nullable(),
  }),
  /**
   * Placement of one participant: the live nodes that may take them (least loaded first) and how
   * many of this meeting's participants one node carries before the meeting cascades to another.
   */
  z.object({
    type: z.literal('PlaceParticipant'),
    participantId: id,
    candidates: z
      .array(z.object({ nodeId: id, url: z.string().min(1) }))
      .min(1)
      .max(1000),
    perNode: z.number().int().min(1),
  }),
  /**
   * A participant was last connected through a node that is gone (crashed, or stopped without
   * handing them over): their media there is over; first they are shown reconnecting, and once
   * the grace period has passed (`leave`) they have left.
   */
  /**
   * Wrong passcodes locked a client (or the whole meeting) out for a while: recorded so that the
   * host and auditors see someone guessing. Only the system records it.
   */
  z.object({
    type: z.literal('RecordPasscodeLockout'),
    scope: z.enum(['client', 'meeting']),
    failures: z.number().int().min(1),
    lockedForSeconds: z.number().int().min(0),
    /** A keyed hash of the client's address (never the address itself); null for the meeting scope. */
    client: z.string().min(1).max(64).nullable(),
  }),
  z.object({
    type: z.literal('SweepLostConnection'),
    participantId: id,
    nodeId: id,
    leave: z.boolean(),
  }),
  ...RecordingCommandSchemas,
  ...HostCommandSchemas,
  ...StageCommandSchemas,
]);

export type MeetingCommand = z.infer<typeof MeetingCommandSchema>;
export type MeetingCommandType = MeetingCommand['type'];
export type MeetingCommandOf<K extends MeetingCommandType> = Extract<MeetingCommand, { type: K }>;
