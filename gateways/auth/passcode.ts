import { createHmac } from 'node:crypto';

/**
 * The meeting stores only a keyed digest of its passcode (bound to the meeting id), so neither
 * the event stream nor its readers ever see a passcode, and digests do not repeat across meetings.
 */
export function passcodeDigest(secret: string, meetingId: string, passcode: string): string {
  return createHmac('sha256', secret).update(`${meetingId}\u0000${passcode}`).digest('hex');
}
