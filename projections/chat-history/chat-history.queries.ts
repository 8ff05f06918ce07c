import type { ProjectionReader } from '../../domain/ports/projection-store';
import { assertPageLimit } from '../paging';
import { CHAT, ChatMessageSchema, chatKey, type ChatMessage } from './chat-history.model';

export interface ChatPage {
  /** Oldest first, ready to display. */
  messages: ChatMessage[];
  /** Pass back as `before` for the page of older messages; null when there are none. */
  nextBefore: number | null;
}

/** The newest `limit` messages sent before `before` (a seq; default: the newest overall). */
export async function chatPage(
  reader: ProjectionReader,
  meetingId: string,
  options: { before?: number; limit: number },
): Promise<ChatPage> {
  assertPageLimit(options.limit);
  const { before } = options;
  if (before !== undefined && !Number.isInteger(before))
    throw new RangeError(`Invalid chat cursor ${before}`);
  if (before !== undefined && before <= 0) return { messages: [], nextBefore: null };
  const entries = await reader.range(CHAT, meetingId, {
    order: 'desc',
    limit: options.limit + 1,
    ...(before === undefined ? {} : { cursor: chatKey(before) }),
  });
  const newestFirst = entries.slice(0, options.limit).map((entry) => ChatMessageSchema.parse(entry.doc));
  const oldest = newestFirst[newestFirst.length - 1];
  return {
    messages: newestFirst.reverse(),
    nextBefore: entries.length > options.limit && oldest ? oldest.seq : null,
  };
}
