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

export interface ParticipantState {
  participantId: string;
  displayName: string;
  userId: string | null;
  role: ParticipantRole;
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
  media: Readonly<Record<string, PublishedMedia>>;
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
});

export const isPresent = (p: ParticipantState | undefined): p is ParticipantState =>
  p !== undefined && (p.status === 'joined' || p.status === 'waiting');
