import { meetingEventOf } from '../meeting-event';
import type { Projection } from '../projection';
import { CHAT, chatKey, type ChatMessage } from './chat-history.model';

/** Every chat message of every meeting, in order, for history pages and late joiners. */
export function chatHistoryProjection(): Projection {
  return {
    name: 'chat-history',
    version: 1,
    collections: [CHAT],
    async apply(stored, tx) {
      const event = meetingEventOf(stored);
      if (event?.type !== 'ChatMessageSent') return;
      const { messageId, senderId, senderName, content } = event.data;
      const message: ChatMessage = {
        messageId,
        seq: stored.streamRevision,
        senderId,
        senderName,
        content,
        timestamp: stored.occurredAt,
      };
      // Keyed by revision, so applying the same event twice rewrites one document.
      await tx.put(CHAT, stored.meetingId, chatKey(stored.streamRevision), message);
    },
  };
}
