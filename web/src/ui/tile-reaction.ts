import type { VNode } from 'preact';
import { REACTION_NAMES } from '../../../protocol/signaling';
import { html } from './html';
import { useMeeting } from './session-context';

/** The reaction someone just sent, large over their tile for a few seconds. */
export function TileReaction(props: { participantId: string; name: string }): VNode | null {
  const reaction = useMeeting((s) => s.reactions.find((r) => r.participantId === props.participantId));
  if (!reaction) return null;
  return html`<div
    key=${reaction.seq}
    class="tile-reaction"
    role="img"
    aria-label=${`${props.name} reacted: ${REACTION_NAMES[reaction.emoji]}`}
    data-emoji=${reaction.emoji}
  >
    ${reaction.emoji}
  </div>`;
}
