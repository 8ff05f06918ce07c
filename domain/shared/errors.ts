/**
 * One registry of error codes for the whole product (style.md, "One error registry per area").
 * Domain errors carry a code only; each gateway maps the code to its transport (HTTP status,
 * socket.io acknowledgement, dead-letter reason). Codes are stable: never rename or reuse one.
 */
export const ErrorCodes = {
  // Input validation (any boundary)
  CONFER_VALIDATION_FAILED: 'A field of the request is missing, malformed or not allowed.',
  CONFER_UNKNOWN_MESSAGE: 'The message type is not part of the protocol.',
  CONFER_RATE_LIMITED: 'Too many requests or messages; slow down.',
  // Auth
  CONFER_AUTH_MISSING: 'No token was presented.',
  CONFER_AUTH_INVALID: 'The token is malformed, forged or expired.',
  CONFER_AUTH_WRONG_MEETING: 'The token belongs to another meeting.',
  CONFER_FORBIDDEN: 'The actor may not do this.',
  // Meetings
  CONFER_MEETING_NOT_FOUND: 'No meeting has this id.',
  CONFER_MEETING_ALREADY_EXISTS: 'A meeting with this id already exists.',
  CONFER_MEETING_ENDED: 'The meeting has ended.',
  CONFER_MEETING_FULL: 'The meeting has reached its maximum number of participants.',
  CONFER_PASSCODE_INVALID: 'The passcode is missing or wrong.',
  CONFER_PARTICIPANT_NOT_FOUND: 'No participant has this id in the meeting.',
  CONFER_PARTICIPANT_NOT_JOINED: 'The participant is not (or no longer) in the meeting.',
  CONFER_PARTICIPANT_NOT_WAITING: 'The participant is not in the waiting room.',
  CONFER_PARTICIPANT_ALREADY_JOINED: 'The participant has already joined.',
  CONFER_HOST_CANNOT_UNMUTE_OTHERS: 'A host may mute others but only they can unmute themselves.',
  CONFER_MEETING_LOCKED: 'The host has locked the meeting: nobody new may join or knock.',
  CONFER_PARTICIPANT_BARRED:
    'The host removed this person from the meeting; they may join again only once a host lets them back.',
  CONFER_KNOCK_TOO_SOON:
    'The host declined this person recently; the message says when they may ask to join again.',
  CONFER_NOTHING_TO_CHANGE: 'The meeting or participant is already in the state this action asks for.',
  CONFER_CHAT_EMPTY: 'A chat message must contain text.',
  CONFER_CHAT_TOO_LONG: 'A chat message may be at most 4 KB.',
  // Recording and object storage
  CONFER_RECORDING_ALREADY_RUNNING: 'The meeting is already being recorded; stop that recording first.',
  CONFER_RECORDING_NOT_FOUND: 'No recording has this id in the meeting.',
  CONFER_RECORDING_NOT_STOPPED: 'The recording is still running; it can only be completed once stopped.',
  CONFER_OBJECT_NOT_FOUND: 'No stored object has this key.',
  CONFER_OBJECT_STORE_UNAVAILABLE:
    'The object store cannot be reached or refused the credentials; retry later.',
  // Event store
  CONFER_STORE_REVISION_CONFLICT: 'The stream changed since it was read (optimistic concurrency).',
  CONFER_STORE_UNAVAILABLE: 'The event store cannot be reached; retry later.',
  CONFER_COMMAND_CONTENDED: 'The meeting was changed concurrently too often; retry.',
  CONFER_STORE_EVENT_REJECTED:
    'This change could not be stored; it has been logged, and nothing else was affected.',
  // Media
  CONFER_MEDIA_UNAVAILABLE: 'Media service is not available for this meeting.',
  CONFER_MEDIA_UNKNOWN_TRANSPORT: 'No transport with this id belongs to the participant.',
  CONFER_MEDIA_UNKNOWN_PRODUCER: 'No producer with this id exists in the meeting.',
  CONFER_MEDIA_UNKNOWN_CONSUMER: 'No consumer with this id belongs to the participant.',
  CONFER_MEDIA_CANNOT_CONSUME: 'The receiver cannot consume this producer with its RTP capabilities.',
  CONFER_MEDIA_CAPABILITIES_REQUIRED: 'Send RTP capabilities before consuming.',
  CONFER_MEDIA_INVALID_PARAMETERS: 'The RTP or DTLS parameters were rejected by the SFU.',
  CONFER_MEDIA_NODE_UNREACHABLE: 'Another media node of the meeting cannot be reached.',
  // Audit
  CONFER_AUDIT_INSTANT_INVALID: 'The instant is neither a stream revision nor an ISO-8601 time with a zone.',
  CONFER_AUDIT_BEFORE_CREATION: 'The instant is before the meeting was created.',
  CONFER_AUDIT_AFTER_END: 'The instant is after the meeting ended and its last event was recorded.',
  CONFER_AUDIT_BEYOND_HEAD: "The revision or time is beyond the stream's newest event.",
  CONFER_AUDIT_EXPORT_INVALID: 'The export file is malformed, truncated or not an export of one meeting.',
  CONFER_AUDIT_KEY_INVALID: 'The audit key is not an Ed25519 key in PEM, base64 DER or JWK form.',
  // Generic
  CONFER_NOT_FOUND: 'No such resource.',
  CONFER_METHOD_NOT_ALLOWED: 'The HTTP method is not supported.',
  CONFER_INTERNAL: 'An unexpected error occurred; it has been logged.',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** A rule of the product was broken. Carries a stable code and, when one input caused it, the field. */
export class ConferError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ErrorCodes[code],
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ConferError';
  }
}

export const isConferError = (error: unknown): error is ConferError => error instanceof ConferError;
