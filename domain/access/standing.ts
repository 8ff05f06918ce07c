import type { MeetingState } from '../meeting/meeting.state';

/**
 * Who may read and act in a meeting: ONE rule, asked by every REST route, socket message and
 * query (architecture.md, "Who may read and act"). A token proves who the caller is (a
 * `Principal`); the meeting's history (its state) decides what they may do now.
 */

/** Who a verified credential says the caller is. Built from the token at the gateway. */
export type Principal =
  | { kind: 'anonymous' }
  /** The meeting's host credential (returned by POST /meetings): its owner, before or without joining. */
  | { kind: 'host-credential'; meetingId: string }
  | { kind: 'participant'; meetingId: string; participantId: string }
  /** Runs the deployment: lists meetings, mints credentials. Never acts inside a meeting. */
  | { kind: 'operator' }
  /** A signed-in user (minted by an operator): may list the meetings they host. */
  | { kind: 'user'; userId: string }
  /** Reads audits (state at an instant, timeline, verification, export); `null` = every meeting. */
  | { kind: 'auditor'; meetingId: string | null }
  /** Reads the analytics stream and insights; `null` = every meeting. */
  | { kind: 'analyst'; meetingId: string | null };

export type Standing =
  | 'host'
  /** Made co-host by a host: moderates (admit, deny, remove, mute) but neither ends nor locks. */
  | 'co-host'
  | 'participant'
  | 'waiting'
  | 'denied'
  | 'removed'
  | 'left'
  | 'auditor'
  | 'analyst'
  | 'operator'
  /** No standing in this meeting: anonymous, another meeting's token, an unknown participant. */
  | 'stranger';

/** What a caller may want to do in one meeting. */
export type Access =
  /** Title, status, whether a passcode or waiting room applies: what a pre-join page needs. */
  | 'read-summary'
  /** Roster, chat, connection details, live socket broadcasts. */
  | 'read-meeting'
  /** Hold a socket to the meeting (waiting participants do, to hear that they were admitted). */
  | 'connect'
  /** Send meeting messages (chat, mute, hand, media). */
  | 'act'
  /** Moderation (admit, deny, remove, mute others, mute all, ask to unmute, allow back). */
  | 'moderate'
  /** The host's own actions (end, record, lock, co-host roles). */
  | 'host-act'
  | 'read-audit'
  | 'read-analytics';

const credentialScope = (scope: string | null, meetingId: string) => scope === null || scope === meetingId;

/** The caller's standing in `state` (a meeting that may not exist: status 'none'). */
export function standingIn(state: MeetingState, principal: Principal): Standing {
  const meetingId = state.meetingId;
  switch (principal.kind) {
    case 'anonymous':
    case 'user':
      return 'stranger';
    case 'operator':
      return 'operator';
    case 'auditor':
      return credentialScope(principal.meetingId, meetingId) ? 'auditor' : 'stranger';
    case 'analyst':
      return credentialScope(principal.meetingId, meetingId) ? 'analyst' : 'stranger';
    case 'host-credential':
      return principal.meetingId === meetingId ? 'host' : 'stranger';
    case 'participant': {
      if (principal.meetingId !== meetingId) return 'stranger';
      const self = state.participants[principal.participantId];
      if (!self) return 'stranger';
      switch (self.status) {
        case 'joined':
          return self.role === 'host' ? 'host' : self.role === 'co-host' ? 'co-host' : 'participant';
        case 'waiting':
          return 'waiting';
        case 'denied':
          return 'denied';
        case 'removed':
          return 'removed';
        case 'left':
          return 'left';
      }
    }
  }
}

const ALLOWED: Record<Standing, readonly Access[]> = {
  host: ['read-summary', 'read-meeting', 'connect', 'act', 'moderate', 'host-act'],
  'co-host': ['read-summary', 'read-meeting', 'connect', 'act', 'moderate'],
  participant: ['read-summary', 'read-meeting', 'connect', 'act'],
  waiting: ['read-summary', 'connect'],
  denied: ['read-summary'],
  removed: ['read-summary'],
  left: ['read-summary'],
  auditor: ['read-summary', 'read-audit'],
  analyst: ['read-summary', 'read-analytics'],
  operator: ['read-summary'],
  stranger: ['read-summary'],
};

export function mayAccess(standing: Standing, access: Access): boolean {
  return ALLOWED[standing].includes(access);
}
