import { randomBytes, randomUUID } from 'node:crypto';
import type { Ids } from '../../domain/ports/ids';

/**
 * Meeting ids carry 128 random bits (base64url, 22 characters): knowing the link is the
 * capability to ask to join, so it must not be guessable or enumerable.
 */
export function createRandomIds(): Ids {
  return {
    eventId: () => randomUUID(),
    meetingId: () => randomBytes(16).toString('base64url'),
    participantId: () => `p_${randomBytes(9).toString('base64url')}`,
    messageId: () => randomUUID(),
  };
}
