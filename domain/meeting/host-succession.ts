import type { HostRoleHandoverReason } from './host.events';
import type { MeetingEvent } from './meeting.events';
import type { MeetingState, ParticipantState } from './meeting.state';

/**
 * Who takes the host role when the last host goes without choosing (they left, or their
 * connection was lost past the grace period), so that a meeting is never left without someone
 * who can admit the people waiting:
 *   1. a participant whose connection is not itself being lost (`reconnecting`) before one whose is,
 *   2. then co-hosts before other participants (the host already trusted them),
 *   3. then the longest present (earliest join), ties broken by id so that every replay agrees.
 * Only admitted participants still in the meeting are candidates; waiting people never are.
 */
export function successorOf(state: MeetingState, leavingId: string): ParticipantState | undefined {
  const candidates = Object.values(state.participants).filter(
    (p) => p.status === 'joined' && p.participantId !== leavingId,
  );
  const rank = (p: ParticipantState) => [
    p.connectionStatus === 'reconnecting' ? 1 : 0,
    p.role === 'co-host' ? 0 : 1,
  ];
  return candidates.sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
    return (
      (a.joinTime ?? '').localeCompare(b.joinTime ?? '') || a.participantId.localeCompare(b.participantId)
    );
  })[0];
}

/** Whether someone other than `leavingId` holds the host role among those present. */
function anotherHostRemains(state: MeetingState, leavingId: string): boolean {
  return Object.values(state.participants).some(
    (p) => p.status === 'joined' && p.role === 'host' && p.participantId !== leavingId,
  );
}

/**
 * Puts a HostRoleHandedOver before the ParticipantLeft of the meeting's last host, so that the
 * role passes on in the same append as the departure: `chosen` when the host named a successor,
 * else the succession rule's pick. Events without such a departure come back unchanged.
 */
export function withSuccession(
  events: MeetingEvent[],
  state: MeetingState,
  chosen?: ParticipantState,
): MeetingEvent[] {
  const at = events.findIndex((e) => e.type === 'ParticipantLeft');
  const left = events[at];
  if (!left || left.type !== 'ParticipantLeft') return events;
  const leavingId = left.data.participantId;
  const leaving = state.participants[leavingId];
  if (leaving?.status !== 'joined' || leaving.role !== 'host') return events;
  if (!chosen && anotherHostRemains(state, leavingId)) return events;
  const successor = chosen ?? successorOf(state, leavingId);
  if (!successor) return events;
  const reason: HostRoleHandoverReason = chosen
    ? 'handed-over'
    : left.data.reason === 'disconnected'
      ? 'host-lost'
      : 'host-left';
  const handover: MeetingEvent = {
    type: 'HostRoleHandedOver',
    data: { fromParticipantId: leavingId, toParticipantId: successor.participantId, reason },
  };
  return [...events.slice(0, at), handover, ...events.slice(at)];
}
