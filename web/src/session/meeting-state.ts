import type {
  BarredView,
  ChatView,
  ConnectionQuality,
  JoinResult,
  ParticipantView,
  ReactionEmoji,
} from '../../../protocol/signaling';

export type Phase =
  'connecting' | 'waiting' | 'joined' | 'denied' | 'left' | 'removed' | 'ended' | 'expired' | 'failed';

export type MediaStatus = 'off' | 'connecting' | 'ready' | 'unavailable' | 'failed';
export type Source = 'microphone' | 'camera' | 'screen';

/** A remote participant's received media, one track per source. */
export interface RemoteMedia {
  microphone?: RemoteTrack;
  camera?: RemoteTrack;
  screen?: RemoteTrack;
}

export interface RemoteTrack {
  consumerId: string;
  producerId: string;
  track: MediaStreamTrack;
  paused: boolean;
}

export interface LocalMediaState {
  audio: boolean;
  video: boolean;
  screen: boolean;
  cameraTrack: MediaStreamTrack | null;
  screenTrack: MediaStreamTrack | null;
  /** Why the camera or microphone could not be used (shown to the person). */
  cameraError: string | null;
  microphoneError: string | null;
}

export type Panel = 'chat' | 'people' | null;

export interface Toast {
  id: number;
  text: string;
  tone: 'info' | 'warn' | 'error';
  /** One button on the notice ("Admit"), for what a person usually does next. */
  action?: { label: string; run(): void };
  /** A chat message's sender and text; the whole notice opens the chat. */
  preview?: { from: string; text: string; open(): void };
}

/** A line of the chat: a message, or someone's reaction (shown as a line of its own). */
export type ChatLine = ChatView & { reaction?: ReactionEmoji };

/** A reaction showing over its sender's tile (the session takes it away after a few seconds). */
export interface ShownReaction {
  /** The broadcast's `seq`: unique, and what the session removes it by. */
  seq: number;
  participantId: string;
  emoji: ReactionEmoji;
}

export interface MeetingClientState {
  phase: Phase;
  /** Why the meeting ended for this person, or why connecting failed. */
  phaseDetail: string | null;
  selfId: string;
  isHost: boolean;
  /** Made co-host: admits, denies, removes and mutes, but neither ends nor locks. */
  isCoHost: boolean;
  meeting: { meetingId: string; title: string; waitingRoom: boolean; locked: boolean };
  /** Hosts and co-hosts: people removed, who may be let back. */
  barred: Record<string, BarredView>;
  /** A host or co-host asked this person to unmute (who asked), until they answer. */
  unmuteRequest: { byName: string } | null;
  participants: Record<string, ParticipantView>;
  /** Join order, for a stable grid. */
  order: string[];
  waiting: Record<string, ParticipantView>;
  activeSpeakerId: string | null;
  /** The last other person who spoke (kept through silences, so speaker view does not jump about). */
  lastSpeakerId: string | null;
  /** Who the host spotlighted for everyone. */
  spotlightId: string | null;
  reactions: ShownReaction[];
  /** The recording in progress (null: none), from the join answer, then its broadcasts. */
  recordingId: string | null;
  chat: ChatLine[];
  /** Cursor for older history (`before`), null when everything is loaded. */
  chatBefore: number | null;
  unread: number;
  panel: Panel;
  connection: 'online' | 'reconnecting';
  media: { status: MediaStatus; detail: string | null };
  local: LocalMediaState;
  remote: Record<string, RemoteMedia>;
  quality: Record<string, ConnectionQuality>;
  toasts: Toast[];
}

export function initialState(meetingId: string, selfId: string, isHost: boolean): MeetingClientState {
  return {
    phase: 'connecting',
    phaseDetail: null,
    selfId,
    isHost,
    isCoHost: false,
    meeting: { meetingId, title: '', waitingRoom: false, locked: false },
    barred: {},
    unmuteRequest: null,
    participants: {},
    order: [],
    waiting: {},
    activeSpeakerId: null,
    lastSpeakerId: null,
    spotlightId: null,
    reactions: [],
    recordingId: null,
    chat: [],
    chatBefore: null,
    unread: 0,
    panel: null,
    connection: 'online',
    media: { status: 'off', detail: null },
    local: {
      audio: false,
      video: false,
      screen: false,
      cameraTrack: null,
      screenTrack: null,
      cameraError: null,
      microphoneError: null,
    },
    remote: {},
    quality: {},
    toasts: [],
  };
}

/** Replaces roster and waiting room with the join acknowledgement's snapshot. */
export function applyJoinResult(state: MeetingClientState, result: JoinResult): MeetingClientState {
  const participants: Record<string, ParticipantView> = {};
  for (const p of result.participants) participants[p.participantId] = p;
  const known = state.order.filter((id) => participants[id]);
  const fresh = result.participants
    .filter((p) => !known.includes(p.participantId))
    .sort((a, b) => (a.joinTime ?? '').localeCompare(b.joinTime ?? ''))
    .map((p) => p.participantId);
  const waiting: Record<string, ParticipantView> = {};
  for (const p of result.waiting) waiting[p.participantId] = p;
  return {
    ...state,
    phase: result.self.status === 'waiting' ? 'waiting' : 'joined',
    isHost: result.self.role === 'host',
    isCoHost: result.self.role === 'co-host',
    meeting: {
      meetingId: result.meeting.meetingId,
      title: result.meeting.title,
      waitingRoom: result.meeting.waitingRoom,
      locked: result.meeting.locked,
    },
    barred: Object.fromEntries(result.barred.map((b) => [b.participantId, b])),
    participants,
    order: [...known, ...fresh],
    waiting,
    activeSpeakerId: result.activeSpeakerId,
    lastSpeakerId:
      result.activeSpeakerId !== null && result.activeSpeakerId !== state.selfId
        ? result.activeSpeakerId
        : participants[state.lastSpeakerId ?? '']
          ? state.lastSpeakerId
          : null,
    spotlightId: result.spotlightId,
    recordingId: result.recording ? result.recordingId : null,
  };
}

export function upsertParticipant(state: MeetingClientState, p: ParticipantView): MeetingClientState {
  const waiting = { ...state.waiting };
  delete waiting[p.participantId];
  return {
    ...state,
    participants: { ...state.participants, [p.participantId]: p },
    order: state.order.includes(p.participantId) ? state.order : [...state.order, p.participantId],
    waiting,
  };
}

export function removeParticipant(state: MeetingClientState, participantId: string): MeetingClientState {
  const participants = { ...state.participants };
  delete participants[participantId];
  const waiting = { ...state.waiting };
  delete waiting[participantId];
  const remote = { ...state.remote };
  delete remote[participantId];
  return {
    ...state,
    participants,
    waiting,
    remote,
    order: state.order.filter((id) => id !== participantId),
    activeSpeakerId: state.activeSpeakerId === participantId ? null : state.activeSpeakerId,
    lastSpeakerId: state.lastSpeakerId === participantId ? null : state.lastSpeakerId,
    reactions: state.reactions.filter((r) => r.participantId !== participantId),
  };
}

export function patchParticipant(
  state: MeetingClientState,
  participantId: string,
  patch: Partial<ParticipantView>,
): MeetingClientState {
  const current = state.participants[participantId];
  if (!current) return state;
  return { ...state, participants: { ...state.participants, [participantId]: { ...current, ...patch } } };
}

/** Adds chat messages (live or history) once each, in stream order. */
export function mergeChat(state: MeetingClientState, messages: ChatLine[]): MeetingClientState {
  const seen = new Set(state.chat.map((m) => m.messageId));
  const added = messages.filter((m) => !seen.has(m.messageId));
  if (added.length === 0) return state;
  return { ...state, chat: [...state.chat, ...added].sort((a, b) => a.seq - b.seq) };
}

export function setRemoteTrack(
  state: MeetingClientState,
  participantId: string,
  source: Source,
  track: RemoteTrack | undefined,
): MeetingClientState {
  const media = { ...(state.remote[participantId] ?? {}) };
  if (track) media[source] = track;
  else delete media[source];
  return { ...state, remote: { ...state.remote, [participantId]: media } };
}

/** Hosts and co-hosts moderate: the waiting room, removals, mutes. */
export const moderates = (state: MeetingClientState): boolean => state.isHost || state.isCoHost;

/** Who is presenting: the first remote screen share, or this person's own. */
export function presenter(
  state: MeetingClientState,
): { participantId: string; track: MediaStreamTrack } | null {
  for (const id of state.order) {
    const screen = state.remote[id]?.screen;
    if (screen && state.participants[id]) return { participantId: id, track: screen.track };
  }
  if (state.local.screenTrack) return { participantId: state.selfId, track: state.local.screenTrack };
  return null;
}
