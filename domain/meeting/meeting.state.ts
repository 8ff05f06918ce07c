import type { MeetingSettings, ParticipantRole } from './meeting.events';
import type { RecordingState } from './recording.state';

export type ParticipantStatus = 'waiting' | 'joined' | 'left' | 'denied' | 'removed';
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface PublishedMedia {
  producerId: string;
  source: 'microphone' | 'camera' | 'screen';
  kind: 'audio' | 'video';
  /** The node whose SFU hosts it (null: recorded before nodes were named, i.e. the media node). */
  nodeId: string | null;
}

/** A participant's role now: joined as host or participant, then made co-host or handed the host role. */
export type MeetingRole = ParticipantRole | 'co-host';

export interface ParticipantState {
  participantId: string;
  displayName: string;
  userId: string | null;
  /** The client's stable per-browser id, when it sent one (what a removal bars). */
  deviceId: string | null;
  role: MeetingRole;
  status: ParticipantStatus;
  joinTime: string | null;
  leftTime: string | null;
  connectionStatus: ConnectionStatus;
  /** The node whose socket the participant is (or was last) connected through. */
  connectedNode: string | null;
  /** The node the participant was sent to (ParticipantPlaced): what placement counts. */
  placedNode: { nodeId: string; url: string } | null;
  audioEnabled: boolean;
  videoEnabled: boolean;
  screenSharing: boolean;
  handRaised: boolean;
  /** A host or co-host asked them to unmute, and they have neither unmuted nor dismissed it. */
  unmuteRequested: boolean;
  media: Readonly<Record<string, PublishedMedia>>;
}

/** Someone the host removed: kept out, by their device and user id, until allowed back. */
export interface BarredPerson {
  participantId: string;
  displayName: string;
  deviceId: string | null;
  userId: string | null;
}

/** Knocking after denials, per device or user (`device:<id>`, `user:<id>`). */
export interface KnockCooldown {
  denials: number;
  /** ISO time before which they may not knock again. */
  until: string;
}

export interface MeetingState {
  status: 'none' | 'active' | 'ended';
  meetingId: string;
  title: string;
  hostUserId: string | null;
  startTime: string | null;
  createdAt: string | null;
  endedAt: string | null;
  settings: MeetingSettings;
  participants: Readonly<Record<string, ParticipantState>>;
  /** Participants currently joined (not waiting, not gone). */
  joinedCount: number;
  activeSpeakerId: string | null;
  /** Who the host spotlighted for everyone (stage.decide.ts), if anyone. */
  spotlightId: string | null;
  chatCount: number;
  /** The node hosting the meeting's media, once placed. */
  mediaNode: { nodeId: string; url: string } | null;
  /** Every recording of the meeting, by id (recording.decide.ts). */
  recordings: Readonly<Record<string, RecordingState>>;
  /** The recording capturing now: at most one at a time. */
  activeRecordingId: string | null;
  /** Nobody new may join or knock (the host's lock). */
  locked: boolean;
  /** Removed people, by participant id, until a host lets them back. */
  barred: Readonly<Record<string, BarredPerson>>;
  /** Denied knockers' cooldowns, by `device:<id>` / `user:<id>`. */
  knockCooldowns: Readonly<Record<string, KnockCooldown>>;
}

export const initialMeetingState = (): MeetingState => ({
  status: 'none',
  meetingId: '',
  title: '',
  hostUserId: null,
  startTime: null,
  createdAt: null,
  endedAt: null,
  settings: {
    muteOnEntry: false,
    videoOffOnEntry: false,
    waitingRoom: false,
    maxParticipants: 100,
    passcodeDigest: null,
  },
  participants: {},
  joinedCount: 0,
  activeSpeakerId: null,
  spotlightId: null,
  chatCount: 0,
  mediaNode: null,
  recordings: {},
  activeRecordingId: null,
  locked: false,
  barred: {},
  knockCooldowns: {},
});

export const isPresent = (p: ParticipantState | undefined): p is ParticipantState =>
  p !== undefined && (p.status === 'joined' || p.status === 'waiting');
