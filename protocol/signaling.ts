import { z } from 'zod';
import { REACTION_EMOJI, type ReactionEmoji } from '../domain/shared/reactions';
import { safeText } from '../domain/shared/text';
import type { AckCallback, ErrorBody } from './ack';
import type { ConnectionQuality, MediaAnswers, MediaTypes } from './media-answers';
import type { ParticipantRecord } from './rest';

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

export {
  REACTION_BUDGET,
  REACTION_EMOJI,
  REACTION_NAMES,
  type ReactionEmoji,
} from '../domain/shared/reactions';

// Ids are the server's own, but a client may send anything: no control characters or lone
// surrogates reach an error message or a log through them.
const participantId = safeText({ max: 100 });
const mediaId = safeText({ max: 100 });
/** The design's `sdp: {...}`: an RTCSessionDescriptionInit, size-limited (SDP lines end in CRLF). */
const SessionDescriptionSchema = z
  .object({
    type: z.enum(['offer', 'answer', 'pranswer', 'rollback']),
    sdp: safeText({ max: 64 * 1024, min: 0, multiline: true }).optional(),
  })
  .strict();
/** The design's `candidate: {...}`: an RTCIceCandidateInit. */
const IceCandidateSchema = z
  .object({
    candidate: safeText({ max: 2048, min: 0 }),
    sdpMid: safeText({ max: 64, min: 0 }).nullable().optional(),
    sdpMLineIndex: z.number().int().min(0).max(1024).nullable().optional(),
    usernameFragment: safeText({ max: 256, min: 0 }).nullable().optional(),
  })
  .strict();
export type SessionDescription = z.infer<typeof SessionDescriptionSchema>;
export type IceCandidate = z.infer<typeof IceCandidateSchema>;
/**
 * RTP/DTLS/SCTP parameters are checked in depth by the SFU (media-parameters.ts, then mediasoup);
 * here only that they are objects, typed `object` so that any library's interfaces fit.
 */
const opaqueObject = z.custom<object>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  'must be an object',
);

export const ClientMessageSchemas = {
  join: z
    .object({
      /** The design sends `""`; when not empty it must be the token's participant. */
      participantId: safeText({ max: 100, min: 0 }).optional(),
      capabilities: z.array(MediaTypeSchema).max(3).optional(),
      /** Last `seq` this client saw: the server replays what followed. */
      lastSeq: z.number().int().min(-1).optional(),
    })
    .strict(),
  mute: z.object({ mediaType: MediaTypeSchema }).strict(),
  unmute: z.object({ mediaType: MediaTypeSchema }).strict(),
  chat: z.object({ message: safeText({ max: 8192, min: 0, multiline: true }) }).strict(),
  /** A host may name who takes the host role over (otherwise the succession rule chooses). */
  leave: z.object({ successorId: participantId.optional() }).strict(),
  'raise-hand': z.object({}).strict(),
  'lower-hand': z.object({ participantId: participantId.optional() }).strict(),
  admit: z.object({ participantId }).strict(),
  deny: z.object({ participantId }).strict(),
  'mute-participant': z.object({ participantId, mediaType: MediaTypeSchema }).strict(),
  'remove-participant': z.object({ participantId }).strict(),
  'end-meeting': z.object({}).strict(),
  // ── Host tools (a co-host may use those marked so in docs/protocol.md) ──
  'mute-all': z.object({}).strict(),
  /** Asks a muted participant to unmute: they are asked, never unmuted by force. */
  'ask-unmute': z.object({ participantId }).strict(),
  /** The asked participant dismisses the request. */
  'decline-unmute': z.object({}).strict(),
  'set-co-host': z.object({ participantId, coHost: z.boolean() }).strict(),
  'lock-meeting': z.object({ locked: z.boolean() }).strict(),
  /** Lets a removed person join again. */
  'allow-back': z.object({ participantId }).strict(),
  // ── The stage: the host's spotlight (for everyone) and reactions ──
  /** Puts one present participant large on everyone's stage (the host only). */
  spotlight: z.object({ participantId }).strict(),
  'clear-spotlight': z.object({}).strict(),
  /** One of the six reactions, exactly as listed (any other text, however it looks, is refused). */
  reaction: z.object({ emoji: z.enum(REACTION_EMOJI) }).strict(),
  // ── The design's peer-to-peer signaling, relayed to one present participant ──
  offer: z.object({ to: participantId, sdp: SessionDescriptionSchema }).strict(),
  answer: z.object({ to: participantId, sdp: SessionDescriptionSchema }).strict(),
  'ice-candidate': z.object({ to: participantId, candidate: IceCandidateSchema }).strict(),
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
export const isClientMessageType = (type: string): type is ClientMessageType =>
  Object.prototype.hasOwnProperty.call(ClientMessageSchemas, type);

export const PEER_SIGNAL_TYPES = ['offer', 'answer', 'ice-candidate'] as const;
export type PeerSignalType = (typeof PEER_SIGNAL_TYPES)[number];
export const isPeerSignalType = (type: string): type is PeerSignalType =>
  (PEER_SIGNAL_TYPES as readonly string[]).includes(type);

/** The client message as the design writes it: its payload, optionally with its own `type`. */
export type ClientWireMessage<K extends ClientMessageType> = { type?: K } & (ClientMessage<K> extends Record<
  string,
  never
>
  ? unknown
  : ClientMessage<K>);

export type { Ack, AckCallback, ErrorBody } from './ack';

// ── What the server sends ──────────────────────────────────────────────────────

export type MeetingRoleView = ParticipantRecord['role'];

/** A participant as every view shows them (the same record as the REST API's). */
export type ParticipantView = ParticipantRecord;

export interface ChatView {
  messageId: string;
  from: string;
  fromName: string;
  message: string;
  timestamp: string;
  seq: number;
}

/** Someone a host removed, kept out until a host lets them back. */
export interface BarredView {
  participantId: string;
  displayName: string;
}

export interface JoinResult {
  self: ParticipantView;
  meeting: {
    meetingId: string;
    title: string;
    status: 'active' | 'ended';
    waitingRoom: boolean;
    /** Nobody new may join or knock. */
    locked: boolean;
  };
  participants: ParticipantView[];
  /** Only for hosts and co-hosts: who waits to be admitted. */
  waiting: ParticipantView[];
  /** Only for hosts and co-hosts: who was removed and may be let back. */
  barred: BarredView[];
  activeSpeakerId: string | null;
  /** Who the host spotlighted for everyone, if anyone. */
  spotlightId: string | null;
  /** Revision of the meeting's stream when this answer was made. */
  seq: number;
  /** How many missed broadcasts follow this answer (replayed from `lastSeq`). */
  replayed: number;
  /** Whether the SFU is available for this meeting. */
  media: boolean;
  /** Whether the meeting is being recorded now (a person must know: the web client shows it). */
  recording: boolean;
  /** The recording in progress, or null. */
  recordingId: string | null;
}

export interface NewProducerView {
  participantId: string;
  producerId: string;
  kind: 'audio' | 'video';
  source: 'microphone' | 'camera' | 'screen';
  paused: boolean;
}

/**
 * What the server sends, per message type, without its `type`: every message also carries `type`
 * equal to its event name (the design's `{ "type": "chat", … }`), added where it is sent.
 */
export interface ServerPayloads {
  /**
   * The answer to a `join` sent without a way to acknowledge it (no `id` on a plain WebSocket, no
   * callback over socket.io), as the design's flow has it: "sends join, receives the list of
   * existing participants". Broadcasts that follow it are newer than its `seq`.
   */
  joined: JoinResult;
  'participant-joined': { participant: ParticipantView; seq: number };
  'participant-left': {
    participantId: string;
    reason: 'left' | 'disconnected' | 'meeting-ended' | 'removed' | 'denied';
    seq: number;
  };
  'participant-waiting': { participant: ParticipantView; seq: number };
  /** To a waiting participant: the host let them in (followed by their own participant-joined). */
  admitted: { participantId: string; seq: number };
  denied: { participantId: string; seq: number };
  chat: ChatView;
  'media-update': {
    participantId: string;
    audio: boolean;
    video: boolean;
    screen: boolean;
    seq: number;
  };
  'hand-raised': { participantId: string; seq: number };
  'hand-lowered': { participantId: string; seq: number };
  'connection-update': {
    participantId: string;
    connectionStatus: ParticipantView['connectionStatus'];
    seq: number;
  };
  'active-speaker': { participantId: string | null; seq: number };
  /** The host spotlighted someone for everyone (`null`: nobody any more, `reason` says why). */
  spotlight: {
    participantId: string | null;
    reason: 'spotlighted' | 'host-cleared' | 'participant-left';
    seq: number;
  };
  /** Someone present sent a reaction: shown over their tile for a few seconds, and in chat. */
  reaction: { participantId: string; emoji: ReactionEmoji; seq: number };
  'meeting-ended': { reason: string; seq: number };
  /** To hosts: wrong passcodes locked a client (or everyone) out of joining for a while. */
  'passcode-lockout': {
    scope: 'client' | 'meeting';
    failures: number;
    lockedForSeconds: number;
    seq: number;
  };
  /** The meeting is being recorded from now on (everyone is told: a clear indicator). */
  'recording-started': { recordingId: string; seq: number };
  /** The recording stopped (`failed`: capture broke off); the file is made afterwards. */
  'recording-stopped': { recordingId: string; reason: string; seq: number };
  /**
   * Someone's role changed: made or no longer co-host (`granted`, `revoked`), or handed the host
   * role (`handed-over` by the leaving host, `host-left` / `host-lost` by the succession rule).
   */
  'role-changed': {
    participantId: string;
    role: MeetingRoleView;
    reason: 'granted' | 'revoked' | 'handed-over' | 'host-left' | 'host-lost';
    /** The host who handed the role over, when it was handed over. */
    previousHostId: string | null;
    seq: number;
  };
  /** To someone just made host or co-host: the waiting room and the removed, as a host sees them. */
  'moderator-briefing': { waiting: ParticipantView[]; barred: BarredView[]; locked: boolean; seq: number };
  /** A host or co-host muted everyone else (`participantIds`); each may unmute themselves. */
  'everyone-muted': { byParticipantId: string | null; participantIds: string[]; seq: number };
  /** To the person asked (and the hosts): "The host asks you to unmute". */
  'unmute-requested': { participantId: string; byParticipantId: string | null; seq: number };
  /** To the hosts: the person dismissed the request. */
  'unmute-declined': { participantId: string; seq: number };
  /** The meeting was locked (nobody new may join or knock) or unlocked. */
  'meeting-lock': { locked: boolean; seq: number };
  /** To the hosts: a removed person may join again. */
  'allowed-back': { participantId: string; seq: number };
  /** A message without an acknowledgement callback failed, or the connection is refused. */
  error: ErrorBody;
  // ── The design's peer-to-peer signaling, from another participant ──
  offer: { from: string; sdp: SessionDescription };
  answer: { from: string; sdp: SessionDescription };
  'ice-candidate': { from: string; candidate: IceCandidate };
  // ── Media ──
  'media:new-producer': NewProducerView;
  'media:producer-closed': { producerId: string; participantId: string };
  'media:producer-paused': { producerId: string; participantId: string; paused: boolean };
  'media:consumer-closed': { consumerId: string; producerId: string };
  'media:consumer-layers': {
    consumerId: string;
    spatialLayer: number | null;
    temporalLayer: number | null;
  };
  /** The SFU lost this meeting's media (worker died): create transports and produce again. */
  'media:renegotiate': { reason: string };
  'media:quality': { participants: Record<string, ConnectionQuality> };
}

export type ServerMessageType = keyof ServerPayloads;
/** A server message as it travels: its payload with `type` equal to the event name. */
export type ServerMessage<K extends ServerMessageType> = { type: K } & ServerPayloads[K];

export type ServerToClientEvents = {
  [K in ServerMessageType]: (msg: ServerMessage<K>) => void;
};

/** The message with its `type`, as the design prints it. */
export const serverMessage = <K extends ServerMessageType>(
  type: K,
  payload: ServerPayloads[K],
): ServerMessage<K> => ({ type, ...payload }) as ServerMessage<K>;

// ── What each request is answered with (the acknowledgement's `data`) ──────────

/** A meeting message's answer: the revision its event got in the meeting's stream. */
export interface CommandAnswer {
  seq: number;
}
/** A peer signal's answer: to how many of the target's connections it went. */
export interface PeerSignalAnswer {
  delivered: number;
}

/**
 * Request type → answer type, shared by the server and every client: no casts on either side.
 * `T` binds the media structures to a library's types (the web client: mediasoup-client's).
 */
export type ClientAnswers<T extends MediaTypes = MediaTypes> = {
  join: JoinResult;
} & { [K in Exclude<ClientMessageType, 'join' | PeerSignalType | `media:${string}`>]: CommandAnswer } & {
  [K in PeerSignalType]: PeerSignalAnswer;
} & MediaAnswers<T>;

/** Every server message, discriminated by `type`: a switch on it narrows the rest. */
export type AnyServerMessage = { [K in ServerMessageType]: ServerMessage<K> }[ServerMessageType];

export type { ConnectionQuality } from './media-answers';

export type ClientToServerEvents = {
  [K in ClientMessageType]: (payload: ClientWireMessage<K>, ack: AckCallback<ClientAnswers[K]>) => void;
};

/** What the client passes as `auth` when it connects. */
export const HandshakeAuthSchema = z.object({
  token: z.string().min(1),
  lastSeq: z.number().int().min(-1).optional(),
});
