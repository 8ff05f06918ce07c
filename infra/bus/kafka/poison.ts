import { ZodError } from 'zod';
import { CurrentVersion, isMeetingEventType } from '../../../domain/meeting/meeting.events';
import { toMeetingEvent } from '../../../domain/meeting/meeting.upcasters';
import { StoredEventSchema, type StoredEvent } from '../../../domain/shared/envelope';

/** Why a message was parked rather than handed to a consumer (the `dlq-reason` header). */
export const PoisonReasons = [
  'not-json',
  'invalid-envelope',
  'unknown-type',
  'unsupported-version',
  'invalid-payload',
] as const;
export type PoisonReason = (typeof PoisonReasons)[number];

/** `handler-failed` is not poison: a valid event the consumer kept failing on. */
export type ParkReason = PoisonReason | 'handler-failed';

export interface PoisonVerdict {
  reason: PoisonReason;
  detail: string;
}

/** Given a well-formed envelope, says why this code cannot consume it (or undefined: it can). */
export type EventCheck = (event: StoredEvent) => PoisonVerdict | undefined;

export type DecodedMessage = { ok: true; event: StoredEvent } | ({ ok: false } & PoisonVerdict);

const summarise = (error: ZodError): string =>
  error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');

/**
 * The default check for the meeting-events topic: a known type, a version this code has a schema
 * (or an upcaster path) for, and a payload that parses. A consumer handed one of these would
 * otherwise throw on it forever and block its partition.
 */
export const checkMeetingEvent: EventCheck = (event) => {
  if (!isMeetingEventType(event.type))
    return { reason: 'unknown-type', detail: `unknown type ${event.type}` };
  if (event.schemaVersion > CurrentVersion[event.type]) {
    return {
      reason: 'unsupported-version',
      detail: `${event.type} v${event.schemaVersion} is newer than this code (v${CurrentVersion[event.type]})`,
    };
  }
  try {
    toMeetingEvent(event);
    return undefined;
  } catch (error) {
    if (error instanceof ZodError) return { reason: 'invalid-payload', detail: summarise(error) };
    return { reason: 'unsupported-version', detail: error instanceof Error ? error.message : String(error) };
  }
};

/** Raw message value → a StoredEvent this code can consume, or the reason it is poison. */
export function decodeMessage(value: Buffer | null, check: EventCheck): DecodedMessage {
  if (value === null || value.length === 0) return { ok: false, reason: 'not-json', detail: 'empty value' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: 'not-json', detail: error instanceof Error ? error.message : String(error) };
  }
  const parsed = StoredEventSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'invalid-envelope', detail: summarise(parsed.error) };
  const verdict = check(parsed.data);
  return verdict === undefined ? { ok: true, event: parsed.data } : { ok: false, ...verdict };
}
