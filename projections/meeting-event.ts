import type { MeetingEvent } from '../domain/meeting/meeting.events';
import { toMeetingEvent } from '../domain/meeting/meeting.upcasters';
import type { StoredEvent } from '../domain/shared/envelope';

const parsed = new WeakMap<StoredEvent, MeetingEvent | null>();

/**
 * The current-version meeting event of a stored event (upcast and validated), or undefined for a
 * type that is not a meeting event. Memoised per event object: every projection of a batch reads
 * the same event, and it is parsed once.
 */
export function meetingEventOf(stored: StoredEvent): MeetingEvent | undefined {
  const known = parsed.get(stored);
  if (known !== undefined) return known ?? undefined;
  const event = toMeetingEvent(stored) ?? null;
  parsed.set(stored, event);
  return event ?? undefined;
}
