import { z } from 'zod';
import { REACTION_EMOJI } from '../shared/reactions';

/**
 * What everyone sees on the stage, as facts of the meeting's stream (meeting.events.ts spreads
 * them in): the host's spotlight, and reactions (kept in the stream so that analytics and audit
 * see them like any other act). Released schemas are never edited: a change is a new version.
 */
const id = z.string().min(1);
export const ReactionEmojiSchema = z.enum(REACTION_EMOJI);

export const StageEventSchemas = {
  /** The host put one participant large on everyone's stage (replacing any earlier spotlight). */
  ParticipantSpotlighted: { 1: z.object({ participantId: id }) },
  /** Nobody is spotlighted any more: the host cleared it, or the spotlighted person left. */
  SpotlightCleared: {
    1: z.object({ participantId: id, reason: z.enum(['host-cleared', 'participant-left']) }),
  },
  /** A participant sent a reaction, shown over their tile for a few seconds and in chat. */
  ReactionSent: { 1: z.object({ participantId: id, emoji: ReactionEmojiSchema }) },
} as const;
