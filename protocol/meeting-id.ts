/**
 * A meeting id: the capability to find a meeting, in URLs (`/m/<id>`, `/meetings/<id>`), tokens
 * and socket namespaces. Written once here (without zod, so the web client can take it alone);
 * `MeetingIdSchema` in ids.ts is the same rule for zod schemas.
 */
export const MEETING_ID_PATTERN = /^[A-Za-z0-9_-]{6,64}$/;
/** The same, as a capture group inside a longer pattern (a path). */
export const MEETING_ID_SOURCE = '[A-Za-z0-9_-]{6,64}';

export const isMeetingId = (value: string): boolean => MEETING_ID_PATTERN.test(value);
