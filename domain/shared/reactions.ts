/**
 * The reactions people can send: a fixed set, so that nothing but these six ever reaches the
 * store, the broadcast or a tile (no strange Unicode, no text smuggled in as an "emoji"). Shared by
 * the domain and the wire contract (protocol/ may import it), so the set is written once.
 */
export const REACTION_EMOJI = ['👍', '❤️', '😂', '😮', '👏', '🎉'] as const;
export type ReactionEmoji = (typeof REACTION_EMOJI)[number];

/** What each reaction is called, for accessible names ("Thumbs up") and chat lines. */
export const REACTION_NAMES: Readonly<Record<ReactionEmoji, string>> = {
  '👍': 'Thumbs up',
  '❤️': 'Heart',
  '😂': 'Laughing',
  '😮': 'Surprised',
  '👏': 'Clapping',
  '🎉': 'Celebrating',
};

/**
 * How many reactions one participant may send in a window: enough to clap along, too few to fill
 * everyone's screen and chat. Beyond it a reaction is refused (`CONFER_RATE_LIMITED`) and not sent.
 */
export const REACTION_BUDGET = { count: 10, perSeconds: 10 } as const;
