import { meetingDecider } from '../../domain/meeting/meeting.decider';
import type { MeetingState } from '../../domain/meeting/meeting.state';
import { toMeetingEvent } from '../../domain/meeting/meeting.upcasters';
import type { StoredEvent } from '../../domain/shared/envelope';

export interface ChatLine {
  messageId: string;
  senderId: string;
  senderName: string;
  content: string;
  at: string;
  revision: number;
}

export interface Replayed {
  state: MeetingState;
  /** Revision of the last event applied (-1: none). */
  revision: number;
  /** When that event was recorded (null: none applied). */
  occurredAt: string | null;
  /** The last chat messages up to that revision, oldest first. */
  recentChat: ChatLine[];
}

export const RECENT_CHAT = 50;

/**
 * Folds a meeting's stream up to `revision` (inclusive) with the product's own upcasters and
 * `evolve`: the state an auditor sees is the state the product acted on, by construction.
 */
export function replay(events: readonly StoredEvent[], revision: number, from?: Replayed): Replayed {
  let state = from?.state ?? meetingDecider.initialState();
  let at = from?.revision ?? -1;
  let occurredAt = from?.occurredAt ?? null;
  const chat = [...(from?.recentChat ?? [])];
  for (const stored of events) {
    if (stored.streamRevision <= at) continue;
    if (stored.streamRevision > revision) break;
    const event = toMeetingEvent(stored);
    if (event) {
      state = meetingDecider.evolve(state, {
        ...event,
        occurredAt: stored.occurredAt,
        streamRevision: stored.streamRevision,
      });
      if (event.type === 'ChatMessageSent') {
        chat.push({ ...event.data, at: stored.occurredAt, revision: stored.streamRevision });
        if (chat.length > RECENT_CHAT * 2) chat.splice(0, chat.length - RECENT_CHAT);
      }
    }
    at = stored.streamRevision;
    occurredAt = stored.occurredAt;
  }
  return { state, revision: at, occurredAt, recentChat: chat.slice(-RECENT_CHAT) };
}
