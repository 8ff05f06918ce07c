import type { MeetingState } from '../../domain/meeting/meeting.state';

/**
 * Which node reports a cascaded meeting's active speaker. Every node of the meeting pulls every
 * microphone, so each one's observer could name a speaker; two nodes judging at once could
 * disagree and flap the speaker. One node speaks: the meeting's media node while anyone is
 * connected through it, otherwise the first (by id) of the nodes people are connected through.
 * Null when nobody's node is known (a meeting on one node, or recorded before nodes were named):
 * then whichever node observes may report.
 */
export function speakerNodeOf(state: MeetingState): string | null {
  const used = new Set<string>();
  for (const p of Object.values(state.participants)) {
    if (p.status === 'joined' && p.connectionStatus === 'connected' && p.connectedNode !== null)
      used.add(p.connectedNode);
  }
  const home = state.mediaNode?.nodeId;
  if (home !== undefined && used.has(home)) return home;
  return [...used].sort()[0] ?? null;
}
