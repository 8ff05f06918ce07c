import { REACTION_NAMES, type ServerMessage } from '../../../protocol/signaling';
import { mergeChat, type MeetingClientState } from './meeting-state';

/** How long a reaction stays over its sender's tile. */
export const REACTION_SHOWN_MS = 4000;

/**
 * A reaction arrived: shown over the sender's tile (one at a time per person: the newest
 * replaces theirs) and added to the chat as a line of its own, in stream order. It never counts
 * as unread: it was on screen already.
 */
export function showReaction(
  state: MeetingClientState,
  message: ServerMessage<'reaction'>,
): MeetingClientState {
  const { participantId, emoji, seq } = message;
  const sender = state.participants[participantId];
  if (!sender) return state;
  const withLine = mergeChat(state, [
    {
      messageId: `reaction-${seq}`,
      from: participantId,
      fromName: sender.displayName,
      message: `${emoji} ${REACTION_NAMES[emoji]}`,
      timestamp: new Date().toISOString(),
      seq,
      reaction: emoji,
    },
  ]);
  return {
    ...withLine,
    reactions: [
      ...state.reactions.filter((r) => r.participantId !== participantId),
      { seq, participantId, emoji },
    ],
  };
}

/** The reaction broadcast as `seq` has had its few seconds. */
export function hideReaction(state: MeetingClientState, seq: number): MeetingClientState {
  if (!state.reactions.some((r) => r.seq === seq)) return state;
  return { ...state, reactions: state.reactions.filter((r) => r.seq !== seq) };
}
