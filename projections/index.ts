import { chatHistoryProjection } from './chat-history/chat-history.projection';
import { meetingDirectoryProjection } from './meeting-directory/meeting-directory.projection';
import { presenceProjection } from './presence/presence.projection';
import type { Projection } from './projection';
import { rosterProjection } from './roster/roster.projection';

/** Every read model the product serves, fed by one runner. */
export function allProjections(): Projection[] {
  return [meetingDirectoryProjection(), rosterProjection(), chatHistoryProjection(), presenceProjection()];
}

export {
  createProjectionRunner,
  ProjectionFailedError,
  type Projection,
  type ProjectionLogger,
  type ProjectionRunner,
  type ProjectionStatus,
} from './projection';
export { rebuild, type RebuildOptions, type RebuildResult } from './rebuild';
export {
  getMeeting,
  listMeetings,
  type MeetingListPage,
} from './meeting-directory/meeting-directory.queries';
export type { MeetingSummary } from './meeting-directory/meeting-directory.model';
export { getParticipant, getRoster, type Roster } from './roster/roster.queries';
export type { RosterParticipant } from './roster/roster.model';
export { nodesWithPresence, presenceOn } from './presence/presence.queries';
export type { Presence } from './presence/presence.model';
export { chatPage, type ChatPage } from './chat-history/chat-history.queries';
export type { ChatMessage } from './chat-history/chat-history.model';
