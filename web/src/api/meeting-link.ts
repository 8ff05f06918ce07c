import { MEETING_ID_PATTERN as MEETING_ID } from '../../../protocol/meeting-id';

/**
 * The meeting id in what a person pasted: a full link (`https://host/m/<id>`), a path (`/m/<id>`)
 * or the bare code. Null when it is none of these.
 */
export function meetingIdFrom(input: string): string | null {
  const text = input.trim();
  if (!text) return null;
  const fromPath = /(?:^|\/)m\/([A-Za-z0-9_-]+)\/?(?:[?#].*)?$/.exec(text)?.[1];
  const candidate = fromPath ?? text;
  return MEETING_ID.test(candidate) ? candidate : null;
}

export const meetingPath = (meetingId: string) => `/m/${meetingId}`;
export const meetingUrl = (meetingId: string) => `${location.origin}${meetingPath(meetingId)}`;
