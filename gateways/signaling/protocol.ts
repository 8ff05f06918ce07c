import { z } from 'zod';

/**
 * The socket.io signaling protocol, shared by the server, the web client and the tests. Event
 * names are the seed design's `type` values; payloads are the rest of the seed's objects. Every
 * client message is validated with the zod schema below (unknown fields are refused) and answered
 * through the socket.io acknowledgement with an `Ack`. Every server broadcast comes from a
 * committed event and carries `seq`, the event's revision in the meeting's stream, so that a
 * reconnecting client can ask for what it missed (`join` with `lastSeq`).
 */

export const MediaTypeSchema = z.enum(['audio', 'video', 'screen']);
export type MediaType = z.infer<typeof MediaTypeSchema>;

const participantId = z.string().min(1).max(100);
const mediaId = z.string().min(1).max(100);
/** RTP/DTLS/SCTP parameters are checked in depth by the SFU; here only their outer shape. */
const opaqueObject = z.record(z.string(), z.unknown());

export const ClientMessageSchemas = {
  join: z
    .object({
      participantId: participantId.optional(),
      capabilities: z.array(MediaTypeSchema).max(3).optional(),
      /** Last `seq` this client saw: the server replays what followed. */
      lastSeq: z.number().int().min(-1).optional(),
    })
    .strict(),
  mute: z.object({ mediaType: MediaTypeSchema }).strict(),
  unmute: z.object({ mediaType: MediaTypeSchema }).strict(),
  chat: z.object({ message: z.string().max(8192) }).strict(),
  leave: z.object({}).strict(),
  'raise-hand': z.object({}).strict(),
  'lower-hand': z.object({ participantId: participantId.optional() }).strict(),
  admit: z.object({ participantId }).strict(),
  deny: z.object({ participantId }).strict(),
  'mute-participant': z.object({ participantId, mediaType: MediaTypeSchema }).strict(),
  'remove-participant': z.object({ participantId }).strict(),
  'end-meeting': z.object({}).strict(),
  // ── Media signaling for mediasoup-client ──
  'media:router-capabilities': z.object({}).strict(),
  'media:set-rtp-capabilities': z.object({ rtpCapabilities: opaqueObject }).strict(),
  'media:create-transport': z
    .object({ direction: z.enum(['send', 'recv']), forceTcp: z.boolean().optional() })
    .strict(),
  'media:connect-transport': z.object({ transportId: mediaId, dtlsParameters: opaqueObject }).strict(),
  'media:restart-ice': z.object({ transportId: mediaId }).strict(),
  'media:produce': z
    .object({
      transportId: mediaId,
      kind: z.enum(['audio', 'video']),
      rtpParameters: opaqueObject,
      source: z.enum(['microphone', 'camera', 'screen']),
      paused: z.boolean().optional(),
    })
    .strict(),
  'media:close-producer': z.object({ producerId: mediaId }).strict(),
  'media:pause-producer': z.object({ producerId: mediaId }).strict(),
  'media:resume-producer': z.object({ producerId: mediaId }).strict(),
  'media:consume': z.object({ producerId: mediaId }).strict(),
  'media:resume-consumer': z.object({ consumerId: mediaId }).strict(),
  'media:pause-consumer': z.object({ consumerId: mediaId }).strict(),
  /** The receiver's tile sizes (CSS pixels) per consumer: the SFU picks the simulcast layer. */
  'media:report-viewport': z
    .object({
      tiles: z
        .array(
          z.object({
            consumerId: mediaId,
            width: z.number().min(0).max(10000),
            height: z.number().min(0).max(10000),
          }),
        )
        .max(1000),
    })
    .strict(),
  'media:stats': z.object({}).strict(),
} as const;

export type ClientMessageType = keyof typeof ClientMessageSchemas;
export type ClientMessage<K extends ClientMessageType> = z.infer<(typeof ClientMessageSchemas)[K]>;
export const clientMessageTypes = Object.keys(ClientMessageSchemas) as ClientMessageType[];

export interface ErrorBody {
  code: string;
  message: string;
  field?: string;
}

export type Ack<T = unknown> = { ok: true; data: T } | { ok: false; error: ErrorBody };
export type AckCallback<T = unknown> = (response: Ack<T>) => void;

// ── What the server sends ──────────────────────────────────────────────────────

export interface ParticipantView {
  participantId: string;
  displayName: string;
  userId: string | null;
  role: 'host' | 'participant';
  status: 'waiting' | 'joined' | 'left' | 'denied' | 'removed';
  joinTime: string | null;
  connectionStatus: 'connecting' | 'connected' | 'reconnecting' | 'disconnected';
  audioEnabled: boolean;
  videoEnabled: boolean;
  screenSharing: boolean;
  handRaised: boolean;
}

export interface ChatView {
  messageId: string;
  from: string;
  fromName: string;
  message: string;
  timestamp: string;
  seq: number;
}

export interface JoinResult {
  self: ParticipantView;
  meeting: { meetingId: string; title: string; status: 'active' | 'ended'; waitingRoom: boolean };
  participants: ParticipantView[];
  /** Only for hosts: who waits to be admitted. */
  waiting: ParticipantView[];
  activeSpeakerId: string | null;
  /** Revision of the meeting's stream when this answer was made. */
  seq: number;
  /** How many missed broadcasts follow this answer (replayed from `lastSeq`). */
  replayed: number;
  /** Whether the SFU is available for this meeting. */
  media: boolean;
}

export interface NewProducerView {
  participantId: string;
  producerId: string;
  kind: 'audio' | 'video';
  source: 'microphone' | 'camera' | 'screen';
  paused: boolean;
}

export interface ServerToClientEvents {
  'participant-joined': (msg: { participant: ParticipantView; seq: number }) => void;
  'participant-left': (msg: {
    participantId: string;
    reason: 'left' | 'disconnected' | 'meeting-ended' | 'removed' | 'denied';
    seq: number;
  }) => void;
  'participant-waiting': (msg: { participant: ParticipantView; seq: number }) => void;
  /** To a waiting participant: the host let them in (followed by their own participant-joined). */
  admitted: (msg: { participantId: string; seq: number }) => void;
  denied: (msg: { participantId: string; seq: number }) => void;
  chat: (msg: ChatView) => void;
  'media-update': (msg: {
    participantId: string;
    audio: boolean;
    video: boolean;
    screen: boolean;
    seq: number;
  }) => void;
  'hand-raised': (msg: { participantId: string; seq: number }) => void;
  'hand-lowered': (msg: { participantId: string; seq: number }) => void;
  'connection-update': (msg: {
    participantId: string;
    connectionStatus: ParticipantView['connectionStatus'];
    seq: number;
  }) => void;
  'active-speaker': (msg: { participantId: string | null; seq: number }) => void;
  'meeting-ended': (msg: { reason: string; seq: number }) => void;
  /** The meeting is being recorded from now on (everyone is told: a clear indicator). */
  'recording-started': (msg: { recordingId: string; seq: number }) => void;
  /** The recording stopped (`failed`: capture broke off); the file is made afterwards. */
  'recording-stopped': (msg: { recordingId: string; reason: string; seq: number }) => void;
  /** A message without an acknowledgement callback failed, or the connection is refused. */
  error: (msg: ErrorBody) => void;
  // ── Media ──
  'media:new-producer': (msg: NewProducerView) => void;
  'media:producer-closed': (msg: { producerId: string; participantId: string }) => void;
  'media:producer-paused': (msg: { producerId: string; participantId: string; paused: boolean }) => void;
  'media:consumer-closed': (msg: { consumerId: string; producerId: string }) => void;
  'media:consumer-layers': (msg: {
    consumerId: string;
    spatialLayer: number | null;
    temporalLayer: number | null;
  }) => void;
  /** The SFU lost this meeting's media (worker died): create transports and produce again. */
  'media:renegotiate': (msg: { reason: string }) => void;
  'media:quality': (msg: { participants: Record<string, ConnectionQuality> }) => void;
}

export interface ConnectionQuality {
  rttMs: number | null;
  packetLossPct: number | null;
  jitterMs: number | null;
  bitrateKbps: number | null;
  score: number | null;
}

export type ClientToServerEvents = {
  [K in ClientMessageType]: (payload: ClientMessage<K>, ack: AckCallback) => void;
};

/** What the client passes as `auth` when it connects. */
export const HandshakeAuthSchema = z.object({
  token: z.string().min(1),
  lastSeq: z.number().int().min(-1).optional(),
});
