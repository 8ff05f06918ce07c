/** What to tell a person for an error code of the API or the socket (their words, not ours). */
const TEXT: Record<string, string> = {
  NETWORK: 'The server cannot be reached. Check your connection and try again.',
  CONFER_MEETING_NOT_FOUND: 'There is no meeting with this link. Check the link or code.',
  CONFER_MEETING_ENDED: 'This meeting has ended.',
  CONFER_MEETING_FULL: 'This meeting is full.',
  CONFER_PASSCODE_INVALID: 'That passcode is not right.',
  CONFER_RATE_LIMITED: 'Too many attempts; wait a moment and try again.',
  CONFER_PARTICIPANT_NOT_JOINED: 'You are no longer in this meeting.',
  CONFER_CHAT_TOO_LONG: 'That message is too long.',
  CONFER_CHAT_EMPTY: 'Write something first.',
  CONFER_FORBIDDEN: 'Only the host can do that.',
  CONFER_MEDIA_UNAVAILABLE: 'Audio and video are not available right now.',
};

export function errorText(code: string, fallback: string): string {
  return TEXT[code] ?? fallback;
}
