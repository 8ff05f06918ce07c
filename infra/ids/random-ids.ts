import { randomBytes, randomUUID } from 'node:crypto';
import type { Ids } from '../../domain/ports/ids';
import { timeOrderedUuid } from './time-ordered-uuid';

/**
 * Meeting ids carry 128 random bits (base64url, 22 characters): knowing the link is the
 * capability to ask to join, so it must not be guessable or enumerable.
 */
export function createRandomIds(): Ids {
  return {
    // Time-ordered (UUIDv7): the event store's unique index on event ids then grows at its end,
    // where a random id landed on a random page of an index larger than any cache, read it and
    // wrote it back at every commit (bench/event-id-order.ts: half the bytes written and 30 %
    // less CPU per append). The time it carries is the event's own `occurredAt`, already public.
    eventId: () => timeOrderedUuid(),
    meetingId,
    participantId: () => `p_${randomBytes(9).toString('base64url')}`,
    messageId: () => randomUUID(),
  };
}

/**
 * 128 random bits, drawn again while the id starts with "-" or "_": an id that starts with "-"
 * reads as an option to every command line (`confer audit replay -sCc…` failed one run in 64).
 */
function meetingId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (/^[A-Za-z0-9]/.test(id)) return id;
  }
}
