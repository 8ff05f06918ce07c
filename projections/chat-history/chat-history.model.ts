import { z } from 'zod';

/**
 * One document per message: partition meetingId / key = the stream revision zero-padded, so that
 * key order is sending order and a page is one range read.
 */
export const CHAT = 'chat';

/** A stream would need 10^15 events to outgrow the padding. */
const SEQ_DIGITS = 15;

export const chatKey = (seq: number): string => String(seq).padStart(SEQ_DIGITS, '0');

export const ChatMessageSchema = z.object({
  messageId: z.string(),
  /** The message's stream revision: its place in the meeting, and the paging cursor. */
  seq: z.number().int().nonnegative(),
  senderId: z.string(),
  senderName: z.string(),
  content: z.string(),
  /** When the message was recorded (the event's occurredAt). */
  timestamp: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;
