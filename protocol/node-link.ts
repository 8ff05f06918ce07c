import { z } from 'zod';
import { RtpParametersSchema } from './media-parameters';

/**
 * What the SFUs of two nodes say to each other to cascade a meeting (media/cascade): the node
 * that wants a producer (the puller) asks the node hosting it (the source) over a node link.
 * One PipeTransport pair per meeting and pair of nodes carries every producer pulled, SRTP
 * protected and with retransmissions (the two nodes are on a network, not in one host).
 * Both sides check every message: a node link is a boundary like any other.
 */
const id = z.string().min(1).max(128);

/** mediasoup's pipe transports protect RTP with AES-256-GCM only (key and salt: 44 bytes). */
const SrtpParametersSchema = z.object({
  cryptoSuite: z.literal('AEAD_AES_256_GCM'),
  keyBase64: z.string().min(1).max(256),
});

const PipeEndSchema = z.object({
  ip: z.string().min(1).max(64),
  port: z.number().int().min(1).max(65535),
  srtpParameters: SrtpParametersSchema,
});
export type PipeEnd = z.infer<typeof PipeEndSchema>;

/** One participant's connection as the SFU carrying their media measures it (media/quality.ts). */
const figure = z.number().finite().nullable();
const ConnectionQualitySchema = z.object({
  rttMs: figure,
  packetLossPct: figure,
  jitterMs: figure,
  bitrateKbps: figure,
  score: z.number().int().min(0).max(10).nullable(),
});

/** Requests from the puller to the source, each answered by an acknowledgement. */
export const LinkRequestSchemas = {
  /** Opens the meeting's pipe towards the puller's end; answers with the source's end. */
  'pipe:open': z.object({ meetingId: id, end: PipeEndSchema }).strict(),
  /** Sends one producer down the pipe; answers with what the puller produces it with. */
  'pipe:consume': z.object({ pipeId: id, producerId: id }).strict(),
  /** The puller no longer needs the pipe. */
  'pipe:close': z.object({ pipeId: id }).strict(),
  /**
   * The connection quality of the meeting's people whose media the node asked carries, as it last
   * measured it: each node measures only its own, and everyone shows everyone's.
   */
  'quality:read': z.object({ meetingId: id }).strict(),
  /**
   * A peer signal (`offer`, `answer`, `ice-candidate`) for a participant connected to the node
   * asked: `payload` is the sender's message as they sent it, checked again by the receiving node.
   */
  'peer:signal': z
    .object({
      meetingId: id,
      from: id,
      signal: z.enum(['offer', 'answer', 'ice-candidate']),
      payload: z.unknown().describe("the sender's message as they sent it (checked again by the node asked)"),
    })
    .strict(),
} as const;
export type LinkRequestType = keyof typeof LinkRequestSchemas;
export type LinkRequest<K extends LinkRequestType> = z.infer<(typeof LinkRequestSchemas)[K]>;

export const LinkAnswerSchemas = {
  'pipe:open': z.object({ pipeId: id, end: PipeEndSchema }),
  'pipe:consume': z.object({
    producerId: id,
    participantId: id,
    source: z.enum(['microphone', 'camera', 'screen']),
    kind: z.enum(['audio', 'video']),
    rtpParameters: RtpParametersSchema,
    paused: z.boolean(),
  }),
  'pipe:close': z.object({}),
  'quality:read': z.object({ participants: z.record(id, ConnectionQualitySchema) }),
  'peer:signal': z.object({ delivered: z.number().int().min(0) }),
} as const satisfies Record<LinkRequestType, z.ZodType>;
export type LinkAnswer<K extends LinkRequestType> = z.infer<(typeof LinkAnswerSchemas)[K]>;

/** What the source tells the puller without being asked. */
export const LinkNotificationSchemas = {
  'pipe:producer-paused': z.object({ meetingId: id, pipeId: id, producerId: id, paused: z.boolean() }),
  'pipe:producer-closed': z.object({ meetingId: id, pipeId: id, producerId: id }),
  /** The source's side of the pipe is gone (its meeting closed there). */
  'pipe:closed': z.object({ meetingId: id, pipeId: id }),
} as const;
export type LinkNotificationType = keyof typeof LinkNotificationSchemas;
export type LinkNotification<K extends LinkNotificationType> = z.infer<(typeof LinkNotificationSchemas)[K]>;

/** The acknowledgement of a request, as on client sockets. */
export type LinkAck =
  { ok: true; data: unknown } | { ok: false; error: { code: string; message: string; field?: string } };
