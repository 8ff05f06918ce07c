import { presenter, type MeetingClientState } from './meeting-state';
import type { StageLayoutState } from './stage-layout';

/** Why one person is large on the stage. */
export type FocusReason = 'pinned' | 'spotlight' | 'speaker';

/** What the stage shows: decided here, from the meeting and this person's layout, and nowhere else. */
export type Arrangement =
  | { kind: 'grid'; tiles: string[] }
  | { kind: 'focus'; main: string; reason: FocusReason; strip: string[] }
  | { kind: 'presentation'; presenterId: string; strip: string[] }
  /** Alone with the self view hidden: nothing to show but a way back. */
  | { kind: 'empty' };

/**
 * The rules, in order:
 * 1. My pin wins (it is my own choice), then the host's spotlight (for everyone): that person is
 *    large, everyone else in the filmstrip.
 * 2. Otherwise a shared screen is large, everyone beside it.
 * 3. Otherwise speaker view puts the one speaking (or who spoke last; else the first other person;
 *    else myself) large, and grid view shows everyone alike.
 * Hiding my self view takes my tile out of grids and filmstrips, never out of a pin or spotlight.
 */
export function arrange(meeting: MeetingClientState, layout: StageLayoutState): Arrangement {
  const present = (id: string | null): id is string => id !== null && meeting.participants[id] !== undefined;
  const visible = meeting.order.filter(
    (id) => meeting.participants[id] && !(layout.hideSelf && id === meeting.selfId),
  );
  const focus = present(layout.pinnedId)
    ? { id: layout.pinnedId, reason: 'pinned' as const }
    : present(meeting.spotlightId)
      ? { id: meeting.spotlightId, reason: 'spotlight' as const }
      : null;
  if (focus)
    return {
      kind: 'focus',
      main: focus.id,
      reason: focus.reason,
      strip: visible.filter((id) => id !== focus.id),
    };
  const shared = presenter(meeting);
  if (shared) return { kind: 'presentation', presenterId: shared.participantId, strip: visible };
  if (visible.length === 0) return { kind: 'empty' };
  if (layout.mode === 'grid') return { kind: 'grid', tiles: visible };
  const others = visible.filter((id) => id !== meeting.selfId);
  const speaker = [meeting.activeSpeakerId, meeting.lastSpeakerId].find(
    (id): id is string => id !== null && others.includes(id),
  );
  const main = speaker ?? others[0] ?? visible[0]!;
  return { kind: 'focus', main, reason: 'speaker', strip: visible.filter((id) => id !== main) };
}
