import { z } from 'zod';
import { MEETING_ID_PATTERN } from './meeting-id';

export { MEETING_ID_PATTERN, MEETING_ID_SOURCE, isMeetingId } from './meeting-id';

/** The meeting id at every zod boundary (REST params, CLI, socket paths). */
export const MeetingIdSchema = z.string().regex(MEETING_ID_PATTERN, 'not a meeting id');
export type MeetingId = z.infer<typeof MeetingIdSchema>;
