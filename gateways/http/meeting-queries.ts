import type { ChatView, ParticipantView } from '../../protocol/signaling';

/** A meeting as the directory read model shows it (never the passcode digest). */
export interface MeetingSummary {
  meetingId: string;
  title: string;
  hostUserId: string | null;
  status: 'active' | 'ended';
  startTime: string | null;
  createdAt: string | null;
  endedAt: string | null;
  participantCount: number;
  settings: {
    muteOnEntry: boolean;
    videoOffOnEntry: boolean;
    waitingRoom: boolean;
    maxParticipants: number;
    passcodeRequired: boolean;
  };
}

/**
 * What the HTTP API reads, served by the projections (read models). Reads are eventually
 * consistent; `waitFor` gives a request read-your-writes after its own command.
 */
export interface MeetingQueries {
  meeting(meetingId: string): Promise<MeetingSummary | undefined>;
  list(options: {
    status?: 'active' | 'ended';
    limit: number;
    cursor?: string;
    /** Only the meetings this user hosts. */
    hostUserId?: string;
  }): Promise<{
    meetings: MeetingSummary[];
    nextCursor: string | null;
  }>;
  roster(meetingId: string, options?: { includeGone?: boolean }): Promise<ParticipantView[]>;
  chat(
    meetingId: string,
    options: { before?: number; limit: number },
  ): Promise<{ messages: ChatView[]; nextBefore: number | null }>;
  /** Resolves true once the read models include the meeting's events up to `revision`. */
  waitFor(meetingId: string, revision: number, timeoutMs: number): Promise<boolean>;
}
