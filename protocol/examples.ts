import type { ErrorCode } from '../domain/shared/errors';
import type {
  ClientMessageType,
  ClientWireMessage,
  ParticipantView,
  ServerMessage,
  ServerMessageType,
} from './signaling';

/**
 * One example of every message, both ways, in the design's `{type, …}` form, with the errors a
 * client message can be refused with. The compiler checks that every message has an example of
 * its real shape; docs/protocol.md is generated from these and the schemas
 * (`npm run docs:protocol`), and a test checks the document is current.
 */
const ada: ParticipantView = {
  participantId: 'p_ada',
  displayName: 'Ada',
  userId: 'user-1',
  role: 'participant',
  status: 'joined',
  joinTime: '2026-12-01T10:00:00.000Z',
  connectionStatus: 'connected',
  audioEnabled: true,
  videoEnabled: false,
  screenSharing: false,
  handRaised: false,
};
const sdp = {
  type: 'offer' as const,
  sdp: 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n',
};
const candidate = {
  candidate: 'candidate:1 1 udp 2122260223 192.0.2.10 54400 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

export const clientExamples: { [K in ClientMessageType]: ClientWireMessage<K> & { type: K } } = {
  join: { type: 'join', participantId: '', capabilities: ['audio', 'video', 'screen'] },
  mute: { type: 'mute', mediaType: 'audio' },
  unmute: { type: 'unmute', mediaType: 'video' },
  chat: { type: 'chat', message: 'Hello everyone' },
  leave: { type: 'leave' },
  'raise-hand': { type: 'raise-hand' },
  'lower-hand': { type: 'lower-hand' },
  admit: { type: 'admit', participantId: 'p_bob' },
  deny: { type: 'deny', participantId: 'p_bob' },
  'mute-participant': { type: 'mute-participant', participantId: 'p_bob', mediaType: 'audio' },
  'remove-participant': { type: 'remove-participant', participantId: 'p_bob' },
  'end-meeting': { type: 'end-meeting' },
  'mute-all': { type: 'mute-all' },
  'ask-unmute': { type: 'ask-unmute', participantId: 'p_bob' },
  'decline-unmute': { type: 'decline-unmute' },
  'set-co-host': { type: 'set-co-host', participantId: 'p_bob', coHost: true },
  'lock-meeting': { type: 'lock-meeting', locked: true },
  'allow-back': { type: 'allow-back', participantId: 'p_bob' },
  spotlight: { type: 'spotlight', participantId: 'p_bob' },
  'clear-spotlight': { type: 'clear-spotlight' },
  reaction: { type: 'reaction', emoji: '👍' },
  offer: { type: 'offer', to: 'p_bob', sdp },
  answer: { type: 'answer', to: 'p_ada', sdp: { ...sdp, type: 'answer' } },
  'ice-candidate': { type: 'ice-candidate', to: 'p_bob', candidate },
  'media:router-capabilities': { type: 'media:router-capabilities' },
  'media:set-rtp-capabilities': { type: 'media:set-rtp-capabilities', rtpCapabilities: { codecs: [] } },
  'media:create-transport': { type: 'media:create-transport', direction: 'send' },
  'media:connect-transport': {
    type: 'media:connect-transport',
    transportId: 't_1',
    dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] },
  },
  'media:restart-ice': { type: 'media:restart-ice', transportId: 't_1' },
  'media:produce': {
    type: 'media:produce',
    transportId: 't_1',
    kind: 'audio',
    rtpParameters: { codecs: [] },
    source: 'microphone',
  },
  'media:close-producer': { type: 'media:close-producer', producerId: 'pr_1' },
  'media:pause-producer': { type: 'media:pause-producer', producerId: 'pr_1' },
  'media:resume-producer': { type: 'media:resume-producer', producerId: 'pr_1' },
  'media:consume': { type: 'media:consume', producerId: 'pr_1' },
  'media:resume-consumer': { type: 'media:resume-consumer', consumerId: 'c_1' },
  'media:pause-consumer': { type: 'media:pause-consumer', consumerId: 'c_1' },
  'media:report-viewport': {
    type: 'media:report-viewport',
    tiles: [{ consumerId: 'c_1', width: 320, height: 180 }],
  },
  'media:stats': { type: 'media:stats' },
};

export const serverExamples: { [K in ServerMessageType]: ServerMessage<K> } = {
  joined: {
    type: 'joined',
    self: { ...ada, participantId: 'p_bob', displayName: 'Bob', userId: 'user-2' },
    meeting: {
      meetingId: 'mtg_5d41402abc4b2a76',
      title: 'Design review',
      status: 'active',
      waitingRoom: false,
      locked: false,
    },
    participants: [ada, { ...ada, participantId: 'p_bob', displayName: 'Bob', userId: 'user-2' }],
    waiting: [],
    barred: [],
    activeSpeakerId: 'p_ada',
    spotlightId: null,
    seq: 6,
    replayed: 0,
    media: true,
    recording: false,
    recordingId: null,
  },
  'participant-joined': { type: 'participant-joined', participant: ada, seq: 7 },
  'participant-left': { type: 'participant-left', participantId: 'p_ada', reason: 'left', seq: 12 },
  'participant-waiting': {
    type: 'participant-waiting',
    participant: { ...ada, participantId: 'p_bob', displayName: 'Bob', status: 'waiting', joinTime: null },
    seq: 8,
  },
  admitted: { type: 'admitted', participantId: 'p_bob', seq: 9 },
  denied: { type: 'denied', participantId: 'p_bob', seq: 9 },
  chat: {
    type: 'chat',
    messageId: 'm_1',
    from: 'p_ada',
    fromName: 'Ada',
    message: 'Hello everyone',
    timestamp: '2026-12-01T10:01:00.000Z',
    seq: 10,
  },
  'media-update': {
    type: 'media-update',
    participantId: 'p_ada',
    audio: true,
    video: false,
    screen: false,
    seq: 11,
  },
  'hand-raised': { type: 'hand-raised', participantId: 'p_ada', seq: 13 },
  'hand-lowered': { type: 'hand-lowered', participantId: 'p_ada', seq: 14 },
  'connection-update': {
    type: 'connection-update',
    participantId: 'p_ada',
    connectionStatus: 'reconnecting',
    seq: 15,
  },
  'active-speaker': { type: 'active-speaker', participantId: 'p_ada', seq: 16 },
  spotlight: { type: 'spotlight', participantId: 'p_bob', reason: 'spotlighted', seq: 17 },
  reaction: { type: 'reaction', participantId: 'p_ada', emoji: '🎉', seq: 18 },
  'meeting-ended': { type: 'meeting-ended', reason: 'host-ended', seq: 20 },
  'recording-started': { type: 'recording-started', recordingId: 'rec_9fJq2LmA0x', seq: 22 },
  'recording-stopped': { type: 'recording-stopped', recordingId: 'rec_9fJq2LmA0x', reason: 'host', seq: 23 },
  'passcode-lockout': {
    type: 'passcode-lockout',
    scope: 'client',
    failures: 5,
    lockedForSeconds: 30,
    seq: 21,
  },
  'role-changed': {
    type: 'role-changed',
    participantId: 'p_bob',
    role: 'host',
    reason: 'handed-over',
    previousHostId: 'p_ada',
    seq: 24,
  },
  'moderator-briefing': { type: 'moderator-briefing', waiting: [], barred: [], locked: false, seq: 24 },
  'everyone-muted': { type: 'everyone-muted', byParticipantId: 'p_ada', participantIds: ['p_bob'], seq: 25 },
  'unmute-requested': { type: 'unmute-requested', participantId: 'p_bob', byParticipantId: 'p_ada', seq: 27 },
  'unmute-declined': { type: 'unmute-declined', participantId: 'p_bob', seq: 28 },
  'meeting-lock': { type: 'meeting-lock', locked: true, seq: 29 },
  'allowed-back': { type: 'allowed-back', participantId: 'p_bob', seq: 30 },
  error: {
    type: 'error',
    code: 'CONFER_VALIDATION_FAILED',
    message: 'message: Invalid input',
    field: 'message',
  },
  offer: { type: 'offer', from: 'p_ada', sdp },
  answer: { type: 'answer', from: 'p_bob', sdp: { ...sdp, type: 'answer' } },
  'ice-candidate': { type: 'ice-candidate', from: 'p_ada', candidate },
  'media:new-producer': {
    type: 'media:new-producer',
    participantId: 'p_ada',
    producerId: 'pr_1',
    kind: 'video',
    source: 'camera',
    paused: false,
  },
  'media:producer-closed': { type: 'media:producer-closed', producerId: 'pr_1', participantId: 'p_ada' },
  'media:producer-paused': {
    type: 'media:producer-paused',
    producerId: 'pr_1',
    participantId: 'p_ada',
    paused: true,
  },
  'media:consumer-closed': { type: 'media:consumer-closed', consumerId: 'c_1', producerId: 'pr_1' },
  'media:consumer-layers': {
    type: 'media:consumer-layers',
    consumerId: 'c_1',
    spatialLayer: 1,
    temporalLayer: 2,
  },
  'media:renegotiate': { type: 'media:renegotiate', reason: 'worker-died' },
  'media:quality': {
    type: 'media:quality',
    participants: { p_ada: { rttMs: 20, packetLossPct: 0, jitterMs: 3, bitrateKbps: 900, score: 10 } },
  },
};

/** What a client must know of a server message beyond its example (rendered under it). */
export const serverNotes: Partial<Record<ServerMessageType, string>> = {
  'media:quality': [
    'Every five seconds. The first one a client gets (after it joins, or after it started over with a new receiving transport) holds everyone in the meeting; each later one holds only the people whose figures changed noticeably (the score, loss by half a point, round-trip time by 10 %, jitter or bitrate by 20 %) or were last sent 30 s ago, and none is sent when nothing changed. Merge each into what you have.',
    "In a meeting cascaded over several nodes, each person's figures are measured by the node carrying their media and reach the others' nodes over the node links, one round (five seconds) later.",
    "(Everyone's figures to everyone every round were 10,000 entries for the 100 people a node holds of a meeting by default, 250,000 for 500 on one node.)",
  ].join(' '),
};

/** Who may send a message (domain/access/standing.ts). */
export type Sender = 'anyone connected' | 'admitted' | 'host or co-host' | 'host';
/** Which budget a message spends (README, "Configuration"). */
export type Budget = 'messages' | 'media';

const always: ErrorCode[] = [
  'CONFER_VALIDATION_FAILED',
  'CONFER_RATE_LIMITED',
  'CONFER_AUTH_INVALID',
  'CONFER_PARTICIPANT_NOT_JOINED',
  'CONFER_MEETING_ENDED',
];
const host: ErrorCode[] = ['CONFER_FORBIDDEN', 'CONFER_PARTICIPANT_NOT_FOUND'];
const media: ErrorCode[] = ['CONFER_MEDIA_UNAVAILABLE', 'CONFER_MEDIA_INVALID_PARAMETERS'];

export const clientRules: { [K in ClientMessageType]: { sender: Sender; errors: ErrorCode[] } } = {
  join: { sender: 'anyone connected', errors: ['CONFER_FORBIDDEN'] },
  mute: { sender: 'admitted', errors: [] },
  unmute: { sender: 'admitted', errors: [] },
  chat: { sender: 'admitted', errors: ['CONFER_CHAT_EMPTY', 'CONFER_CHAT_TOO_LONG'] },
  leave: { sender: 'anyone connected', errors: ['CONFER_FORBIDDEN'] },
  'raise-hand': { sender: 'admitted', errors: [] },
  'lower-hand': { sender: 'admitted', errors: ['CONFER_FORBIDDEN'] },
  admit: {
    sender: 'host or co-host',
    errors: [...host, 'CONFER_PARTICIPANT_NOT_WAITING', 'CONFER_MEETING_FULL'],
  },
  deny: { sender: 'host or co-host', errors: [...host, 'CONFER_PARTICIPANT_NOT_WAITING'] },
  'mute-participant': { sender: 'host or co-host', errors: [...host, 'CONFER_NOTHING_TO_CHANGE'] },
  'remove-participant': { sender: 'host or co-host', errors: host },
  'end-meeting': { sender: 'host', errors: ['CONFER_FORBIDDEN'] },
  'mute-all': { sender: 'host or co-host', errors: ['CONFER_FORBIDDEN', 'CONFER_NOTHING_TO_CHANGE'] },
  'ask-unmute': { sender: 'host or co-host', errors: [...host, 'CONFER_NOTHING_TO_CHANGE'] },
  'decline-unmute': { sender: 'admitted', errors: ['CONFER_NOTHING_TO_CHANGE'] },
  'set-co-host': { sender: 'host', errors: [...host, 'CONFER_NOTHING_TO_CHANGE'] },
  'lock-meeting': { sender: 'host', errors: ['CONFER_FORBIDDEN', 'CONFER_NOTHING_TO_CHANGE'] },
  'allow-back': { sender: 'host or co-host', errors: [...host, 'CONFER_NOTHING_TO_CHANGE'] },
  // The decider holds the spotlight rule (stage.decide.ts): any admitted sender reaches it.
  spotlight: { sender: 'host', errors: [...host, 'CONFER_PARTICIPANT_NOT_JOINED'] },
  'clear-spotlight': { sender: 'host', errors: ['CONFER_FORBIDDEN'] },
  // Reactions also spend a budget of their own (gateways/signaling/rate-limits.ts).
  reaction: { sender: 'admitted', errors: [] },
  offer: { sender: 'admitted', errors: [] },
  answer: { sender: 'admitted', errors: [] },
  'ice-candidate': { sender: 'admitted', errors: [] },
  'media:router-capabilities': { sender: 'admitted', errors: media },
  'media:set-rtp-capabilities': { sender: 'admitted', errors: media },
  'media:create-transport': { sender: 'admitted', errors: media },
  'media:connect-transport': { sender: 'admitted', errors: [...media, 'CONFER_MEDIA_UNKNOWN_TRANSPORT'] },
  'media:restart-ice': { sender: 'admitted', errors: [...media, 'CONFER_MEDIA_UNKNOWN_TRANSPORT'] },
  'media:produce': { sender: 'admitted', errors: [...media, 'CONFER_MEDIA_UNKNOWN_TRANSPORT'] },
  'media:close-producer': { sender: 'admitted', errors: [...media, 'CONFER_MEDIA_UNKNOWN_PRODUCER'] },
  'media:pause-producer': { sender: 'admitted', errors: [...media, 'CONFER_MEDIA_UNKNOWN_PRODUCER'] },
  'media:resume-producer': { sender: 'admitted', errors: [...media, 'CONFER_MEDIA_UNKNOWN_PRODUCER'] },
  'media:consume': {
    sender: 'admitted',
    errors: [
      ...media,
      'CONFER_MEDIA_UNKNOWN_PRODUCER',
      'CONFER_MEDIA_CANNOT_CONSUME',
      'CONFER_MEDIA_CAPABILITIES_REQUIRED',
      'CONFER_MEDIA_NODE_UNREACHABLE',
    ],
  },
  'media:resume-consumer': { sender: 'admitted', errors: [...media, 'CONFER_MEDIA_UNKNOWN_CONSUMER'] },
  'media:pause-consumer': { sender: 'admitted', errors: [...media, 'CONFER_MEDIA_UNKNOWN_CONSUMER'] },
  'media:report-viewport': { sender: 'admitted', errors: media },
  'media:stats': { sender: 'admitted', errors: media },
};

/** Errors every client message may get, whatever it is. */
export const errorsOfEveryMessage = always;
