import type { ParticipantView } from '../../../protocol/signaling';

/**
 * Who the leave dialog offers as the next host by default: the server's succession rule
 * (domain/meeting/host-succession.ts) as the client sees it: someone not reconnecting, co-hosts
 * first, then the longest present.
 */
export function defaultSuccessor(people: ParticipantView[], selfId: string): ParticipantView | undefined {
  const rank = (p: ParticipantView) => [
    p.connectionStatus === 'reconnecting' ? 1 : 0,
    p.role === 'co-host' ? 0 : 1,
  ];
  return people
    .filter((p) => p.participantId !== selfId && p.status === 'joined')
    .sort((a, b) => {
      const [ra, rb] = [rank(a), rank(b)];
      for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
      return (
        (a.joinTime ?? '').localeCompare(b.joinTime ?? '') || a.participantId.localeCompare(b.participantId)
      );
    })[0];
}
