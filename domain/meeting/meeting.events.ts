import { z } from 'zod';
import { HostEventSchemas, HostEventVersions } from './host.events';
import { RecordingEventSchemas } from './recording.events';
import { StageEventSchemas } from './stage.events';

/**
 * Meeting events: past-tense facts, each with a schema per version. A schema is never edited once
 * released: a change is a new version plus an upcaster in meeting.upcasters.ts.
 */
export const MeetingSettingsSchema = z.object({
  muteOnEntry: z.boolean(),
  videoOffOnEntry: z.boolean(),
  waitingRoom: z.boolean(),
  maxParticipants: z.number().int().min(2).max(500),
  /** Keyed digest of the passcode, computed at the gateway: the plain passcode is never stored. */
  passcodeDigest: z.string().nullable(),
});
export type MeetingSettings = z.infer<typeof MeetingSettingsSchema>;

export const MediaKindSchema = z.enum(['audio', 'video', 'screen']);
export type MediaKind = z.infer<typeof MediaKindSchema>;

export const ParticipantRoleSchema = z.enum(['host', 'participant']);
export type ParticipantRole = z.infer<typeof ParticipantRoleSchema>;

const id = z.string().min(1);

// Versions a later version extends (the released schema itself is never edited).
const ConnectionChangedV1 = z.object({
  participantId: id,
  connectionStatus: z.enum(['connected', 'reconnecting']),
});
const ParticipantJoinedV1 = z.object({
  participantId: id,
  displayName: z.string(),
  userId: z.string().nullable(),
  role: ParticipantRoleSchema,
  audioEnabled: z.boolean(),
  videoEnabled: z.boolean(),
});
const ParticipantWaitingV1 = z.object({
  participantId: id,
  displayName: z.string(),
  userId: z.string().nullable(),
});
/**
 * v2 of joining and waiting: the stable per-browser id the client sends (kept in its local
 * storage), so that a removal bars that browser and knocking after a denial can be slowed down.
 */
// A writer that predates the field (or knows no device) records none: null, as the upcaster says.
const deviceId = z.string().nullable().default(null);
const MediaPublishedV1 = z.object({
  participantId: id,
  producerId: id,
  source: z.enum(['microphone', 'camera', 'screen']),
  kind: z.enum(['audio', 'video']),
  paused: z.boolean(),
});

export const MeetingEventSchemas = {
  MeetingCreated: {
    1: z.object({
      meetingId: id,
      title: z.string(),
      startTime: z.string().nullable(),
      hostUserId: z.string().nullable(),
      settings: MeetingSettingsSchema,
    }),
  },
  ParticipantJoined: {
    1: ParticipantJoinedV1,
    2: ParticipantJoinedV1.extend({ deviceId }),
  },
  ParticipantWaiting: {
    1: ParticipantWaitingV1,
    2: ParticipantWaitingV1.extend({ deviceId }),
  },
  ParticipantAdmitted: { 1: z.object({ participantId: id }) },
  ParticipantDenied: { 1: z.object({ participantId: id }) },
  ParticipantLeft: {
    1: z.object({ participantId: id, reason: z.enum(['left', 'disconnected', 'meeting-ended']) }),
  },
  ParticipantRemoved: { 1: z.object({ participantId: id }) },
  ParticipantConnectionChanged: {
    1: ConnectionChangedV1,
    /** v2: the node whose socket the participant is (or was last) connected through. */
    2: ConnectionChangedV1.extend({ nodeId: id.nullable() }),
  },
  MediaStateChanged: {
    1: z.object({ participantId: id, kind: MediaKindSchema, enabled: z.boolean() }),
  },
  ChatMessageSent: {
    1: z.object({ messageId: id, senderId: id, senderName: z.string(), content: z.string() }),
  },
  HandRaised: { 1: z.object({ participantId: id }) },
  HandLowered: { 1: z.object({ participantId: id }) },
  ActiveSpeakerChanged: { 1: z.object({ participantId: id.nullable() }) },
  MediaPublished: {
    1: MediaPublishedV1,
    /** v2: the node whose SFU hosts the producer (other nodes pull it from there). */
    2: MediaPublishedV1.extend({ nodeId: id.nullable() }),
  },
  MediaUnpublished: { 1: z.object({ participantId: id, producerId: id }) },
  MeetingEnded: { 1: z.object({ reason: z.enum(['host-ended', 'expired']) }) },
  /** Which node hosts the meeting's media (its SFU routers) and serves its signaling. */
  MediaNodeAssigned: { 1: z.object({ nodeId: id, url: z.string().min(1), previousNodeId: id.nullable() }) },
  /**
   * The node one participant is sent to for signaling and media. A meeting gathers on its media
   * node and cascades to others once that node carries its share of the meeting.
   */
  ParticipantPlaced: {
    1: z.object({ participantId: id, nodeId: id, url: z.string().min(1), previousNodeId: id.nullable() }),
  },
  /** Wrong passcodes locked a client (or the meeting's passcode entry) out for a while. */
  PasscodeLockoutStarted: {
    1: z.object({
      scope: z.enum(['client', 'meeting']),
      failures: z.number().int().min(1),
      lockedForSeconds: z.number().int().min(0),
      client: z.string().nullable(),
    }),
  },
  ...RecordingEventSchemas,
  ...HostEventSchemas,
  ...StageEventSchemas,
} as const;

type Schemas = typeof MeetingEventSchemas;
export type MeetingEventType = keyof Schemas;

/** Current (latest) version of each event type: what decide emits and evolve reads. */
export const CurrentVersion = {
  MeetingCreated: 1,
  ParticipantJoined: 2,
  ParticipantWaiting: 2,
  ParticipantAdmitted: 1,
  ParticipantDenied: 1,
  ParticipantLeft: 1,
  ParticipantRemoved: 1,
  ParticipantConnectionChanged: 2,
  MediaStateChanged: 1,
  ChatMessageSent: 1,
  HandRaised: 1,
  HandLowered: 1,
  ActiveSpeakerChanged: 1,
  MediaPublished: 2,
  MediaUnpublished: 1,
  MeetingEnded: 1,
  MediaNodeAssigned: 1,
  ParticipantPlaced: 1,
  PasscodeLockoutStarted: 1,
  RecordingStarted: 1,
  RecordingStopped: 1,
  RecordingSegmentStored: 1,
  RecordingTrackStarted: 1,
  RecordingTrackClosed: 1,
  RecordingAvailable: 1,
  RecordingFailed: 1,
  ...HostEventVersions,
  ParticipantSpotlighted: 1,
  SpotlightCleared: 1,
  ReactionSent: 1,
} as const satisfies { [K in MeetingEventType]: keyof Schemas[K] };

type Current<K extends MeetingEventType> = Schemas[K][(typeof CurrentVersion)[K] & keyof Schemas[K]];

/** The union of meeting events at their current version, discriminated by `type`. */
export type MeetingEvent = {
  [K in MeetingEventType]: { type: K; data: z.infer<Current<K> & z.ZodType> };
}[MeetingEventType];

export type MeetingEventOf<K extends MeetingEventType> = Extract<MeetingEvent, { type: K }>;

/** A meeting event as evolve sees it: the fact plus when it was recorded. */
export type RecordedMeetingEvent = MeetingEvent & { occurredAt: string; streamRevision: number };

export const meetingEventTypes = Object.keys(MeetingEventSchemas) as MeetingEventType[];

export const isMeetingEventType = (type: string): type is MeetingEventType =>
  Object.prototype.hasOwnProperty.call(MeetingEventSchemas, type);
