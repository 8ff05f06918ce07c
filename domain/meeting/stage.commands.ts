import { z } from 'zod';
import { ReactionEmojiSchema } from './stage.events';

const id = z.string().min(1);

/**
 * Stage commands: the host spotlights someone for everyone (or clears it); a participant sends a
 * reaction (the sender is the acting participant, from the token).
 */
export const StageCommandSchemas = [
  z.object({ type: z.literal('SpotlightParticipant'), participantId: id }),
  z.object({ type: z.literal('ClearSpotlight') }),
  z.object({ type: z.literal('SendReaction'), emoji: ReactionEmojiSchema }),
] as const;
