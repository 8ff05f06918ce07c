import { z } from 'zod';
import { REACTION_EMOJI } from '../../domain/shared/reactions';

/**
 * The analyst-facing records: one zod schema per record type, each type name carrying its
 * version. A released schema is never edited: a change is a new type (`….v2`) published beside
 * the old one for a deprecation period. JSON Schemas are generated from these
 * (`npm run analytics:schemas`, served at /docs/analytics).
 */
const id = z.string().min(1);
const ms = z.number().int().nonnegative();

export const RecordDataSchemas = {
  'confer.meeting.started.v1': z.object({
    waitingRoom: z.boolean(),
    maxParticipants: z.number().int().positive(),
    scheduledStart: z.string().nullable(),
  }),
  'confer.meeting.ended.v1': z.object({
    reason: z.enum(['host-ended', 'expired']),
    durationMs: ms,
    peakParticipants: z.number().int().nonnegative(),
    participantsTotal: z.number().int().nonnegative(),
    chatMessages: z.number().int().nonnegative(),
  }),
  'confer.participant.waiting.v1': z.object({ participantId: id }),
  'confer.participant.admitted.v1': z.object({ participantId: id, waitedMs: ms.nullable() }),
  'confer.participant.denied.v1': z.object({ participantId: id, waitedMs: ms.nullable() }),
  'confer.participant.joined.v1': z.object({
    participantId: id,
    role: z.enum(['host', 'participant']),
    audioEnabled: z.boolean(),
    videoEnabled: z.boolean(),
    /** Participants present once this one joined. */
    participantsNow: z.number().int().positive(),
  }),
  'confer.participant.connected.v1': z.object({
    participantId: id,
    /** First connection after joining: time from the join request (waiting room included) to connected. */
    joinToConnectedMs: ms.nullable(),
    reconnected: z.boolean(),
  }),
  'confer.participant.reconnecting.v1': z.object({ participantId: id }),
  'confer.participant.left.v1': z.object({
    participantId: id,
    reason: z.enum(['left', 'disconnected', 'meeting-ended', 'removed']),
    timeInMeetingMs: ms,
    talkTimeMs: ms,
    participantsNow: z.number().int().nonnegative(),
  }),
  'confer.media.published.v1': z.object({
    participantId: id,
    producerId: id,
    source: z.enum(['microphone', 'camera', 'screen']),
    kind: z.enum(['audio', 'video']),
  }),
  'confer.media.unpublished.v1': z.object({
    participantId: id,
    producerId: id,
    source: z.enum(['microphone', 'camera', 'screen']).nullable(),
    publishedMs: ms.nullable(),
  }),
  'confer.media.toggled.v1': z.object({
    participantId: id,
    kind: z.enum(['audio', 'video', 'screen']),
    enabled: z.boolean(),
  }),
  'confer.screenshare.started.v1': z.object({ participantId: id, producerId: id }),
  'confer.screenshare.stopped.v1': z.object({ participantId: id, producerId: id, durationMs: ms.nullable() }),
  'confer.hand.raised.v1': z.object({ participantId: id }),
  'confer.hand.lowered.v1': z.object({ participantId: id }),
  /** A reaction, one of the fixed set (👍 ❤️ 😂 😮 👏 🎉). */
  'confer.reaction.sent.v1': z.object({ participantId: id, emoji: z.enum(REACTION_EMOJI) }),
  'confer.chat.message.v1': z.object({
    messageId: id,
    senderId: id,
    /** Length in Unicode code points. */
    length: z.number().int().nonnegative(),
    senderMessageCount: z.number().int().positive(),
    meetingMessageCount: z.number().int().positive(),
    /** The text, only where the deployment allows it (ANALYTICS_CHAT_CONTENT=true); otherwise null. */
    content: z.string().nullable(),
  }),
  /** Running figure: a speaking turn ended (the active speaker changed or left). */
  'confer.talk-time.updated.v1': z.object({ participantId: id, turnMs: ms, totalMs: ms }),
  /** Final figure per participant who spoke, once the meeting ended. */
  'confer.talk-time.final.v1': z.object({
    participantId: id,
    totalMs: ms,
    turns: z.number().int().nonnegative(),
  }),
  /**
   * One participant's connection over a 10 s window, measured by the SFU (`sfu`) or reported by
   * their browser's getStats (`client`). Figures outside what a network can produce are clamped
   * (`clamped` says so); `mos` is the ITU-T G.107 E-model estimate from RTT, jitter and loss.
   */
  'confer.quality.sample.v1': z.object({
    participantId: id,
    origin: z.enum(['sfu', 'client']),
    windowStart: z.string(),
    windowMs: z.number().int().positive(),
    rttMs: z.number().nonnegative().nullable(),
    lossPct: z.number().min(0).max(100).nullable(),
    jitterMs: z.number().nonnegative().nullable(),
    sentKbps: z.number().nonnegative().nullable(),
    receivedKbps: z.number().nonnegative().nullable(),
    mos: z.number().min(1).max(4.5).nullable(),
    clamped: z.boolean(),
  }),
  /** A join the server refused or failed, with its error code (at most 20 per meeting per 10 s). */
  'confer.join.failed.v1': z.object({ code: z.string().min(1) }),
  /** Reported by the web client: from joining to the first decoded remote video frame. */
  'confer.first-frame.v1': z.object({ participantId: id, ms: ms }),
} as const;

export type RecordType = keyof typeof RecordDataSchemas;
export type RecordData<T extends RecordType> = z.infer<(typeof RecordDataSchemas)[T]>;
export const recordTypes = Object.keys(RecordDataSchemas) as RecordType[];

/** A record before it is placed in its meeting's sequence: what the derive stage produces. */
export type RecordDraft = {
  [T in RecordType]: {
    type: T;
    /** Tells apart several records of one type from one source event (e.g. final talk time per participant). */
    discriminator: string;
    data: RecordData<T>;
  };
}[RecordType];

/** CloudEvents 1.0 attributes every record carries, with Confer's extensions. */
const envelopeShape = {
  specversion: z.literal('1.0'),
  /** Deterministic: derived from the source event id, type and discriminator. */
  id,
  source: z.string().min(1),
  time: z.string(),
  /** The meeting id. */
  subject: id,
  datacontenttype: z.literal('application/json'),
  dataschema: z.string().min(1),
  /** Per meeting, from 1, rising by exactly 1: a consumer can see any gap. */
  sequence: z.number().int().positive(),
  /** CloudEvents partitioning extension: the meeting id (Kafka message key). */
  partitionkey: id,
  /** Global position of the meeting event this record was derived from (null: a quality report). */
  conferposition: z.number().int().positive().nullable(),
};

/** The full CloudEvents schema of one record type. */
export function recordSchema<T extends RecordType>(type: T) {
  return z.object({ ...envelopeShape, type: z.literal(type), data: RecordDataSchemas[type] });
}

export const AnalyticsRecordSchema = z.discriminatedUnion(
  'type',
  recordTypes.map((type) => recordSchema(type)) as unknown as [
    ReturnType<typeof recordSchema<RecordType>>,
    ...ReturnType<typeof recordSchema<RecordType>>[],
  ],
);
export type AnalyticsRecord = {
  [T in RecordType]: z.infer<ReturnType<typeof recordSchema<T>>>;
}[RecordType];

export const isRecordType = (type: string): type is RecordType =>
  Object.prototype.hasOwnProperty.call(RecordDataSchemas, type);
