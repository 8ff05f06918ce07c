import { randomUUID } from 'node:crypto';
import type { EventToAppend } from '../../domain/shared/envelope';

/**
 * A ChatMessageSent as the command handler appends it (v1, a participant's actor, fresh ids), for
 * tests and benches that write the event store directly.
 */
export function chatToAppend(
  meetingId: string,
  {
    content = 'Can everyone see my screen? I am sharing the quarterly numbers now.',
    senderId = randomUUID(),
    senderName = 'Ada Lovelace',
    eventId = randomUUID(),
  }: { content?: string; senderId?: string; senderName?: string; eventId?: string } = {},
): EventToAppend {
  return {
    eventId,
    type: 'ChatMessageSent',
    schemaVersion: 1,
    data: { messageId: randomUUID(), senderId, senderName, content },
    metadata: {
      meetingId,
      occurredAt: new Date().toISOString(),
      actor: { type: 'participant', participantId: senderId, isHost: false },
      correlationId: randomUUID(),
      causationId: randomUUID(),
    },
  };
}
