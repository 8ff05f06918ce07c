import type { MeetingState } from '../../domain/meeting/meeting.state';
import { participantRecordOf } from '../../protocol/rest';
import type { BarredView, ParticipantView } from '../../protocol/signaling';

/** A participant as the meeting's state holds them, in the protocol's shape. */
export function participantViewFromState(
  state: MeetingState,
  participantId: string,
): ParticipantView | undefined {
  const p = state.participants[participantId];
  if (!p) return undefined;
  return participantRecordOf(p);
}

/** Who was removed and may be let back, as hosts and co-hosts see them. */
export function barredViews(state: MeetingState): BarredView[] {
  return Object.values(state.barred).map(({ participantId, displayName }) => ({
    participantId,
    displayName,
  }));
}
