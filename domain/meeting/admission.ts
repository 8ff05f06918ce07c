import { ConferError } from '../shared/errors';
import type { KnockCooldown, MeetingState } from './meeting.state';

/**
 * Who may come in at all, before the waiting room and the capacity: nobody new while the meeting
 * is locked; nobody the host removed (matched by their browser's device id or their user id)
 * until a host lets them back; and a person the host denied not again before their cooldown ends.
 * The host credential is never kept out (the host must be able to reach their own meeting).
 */
export interface Arrival {
  deviceId: string | null;
  userId: string | null;
  /** When the request came (the gateway's clock); without it no cooldown can be measured. */
  requestedAt: string | null;
}

/** First denial: 30 s before knocking again; each further denial doubles it, up to 10 minutes. */
export const KNOCK_COOLDOWN_BASE_SECONDS = 30;
export const KNOCK_COOLDOWN_MAX_SECONDS = 600;

export const cooldownSeconds = (denials: number): number =>
  Math.min(KNOCK_COOLDOWN_BASE_SECONDS * 2 ** Math.max(0, denials - 1), KNOCK_COOLDOWN_MAX_SECONDS);

/** The keys a person is known by across participant ids: their device and their user id. */
export function arrivalKeys(person: { deviceId: string | null; userId: string | null }): string[] {
  return [
    ...(person.deviceId !== null ? [`device:${person.deviceId}`] : []),
    ...(person.userId !== null ? [`user:${person.userId}`] : []),
  ];
}

export function assertMayArrive(state: MeetingState, arrival: Arrival): void {
  if (state.locked)
    throw new ConferError('CONFER_MEETING_LOCKED', 'The host has locked this meeting: nobody new may join');
  const barred = Object.values(state.barred).some(
    (b) =>
      (b.deviceId !== null && b.deviceId === arrival.deviceId) ||
      (b.userId !== null && b.userId === arrival.userId),
  );
  if (barred)
    throw new ConferError(
      'CONFER_PARTICIPANT_BARRED',
      'The host removed you from this meeting. You can join again only if the host lets you back.',
    );
}

/** Knocking (asking the waiting room) again too soon after a denial. */
export function assertMayKnock(state: MeetingState, arrival: Arrival): void {
  if (arrival.requestedAt === null) return;
  const now = Date.parse(arrival.requestedAt);
  if (Number.isNaN(now)) return;
  const until = arrivalKeys(arrival)
    .map((key) => state.knockCooldowns[key]?.until)
    .filter((u): u is string => u !== undefined)
    .map((u) => Date.parse(u))
    .reduce((latest, u) => Math.max(latest, u), 0);
  if (until <= now) return;
  const seconds = Math.ceil((until - now) / 1000);
  throw new ConferError(
    'CONFER_KNOCK_TOO_SOON',
    `The host declined your request. You may ask to join again in ${seconds} s (at ${new Date(until).toISOString().slice(11, 19)} UTC).`,
  );
}

/** The cooldown after one more denial of the person known by `key`, denied at `at`. */
export function nextCooldown(previous: KnockCooldown | undefined, at: string): KnockCooldown {
  const denials = (previous?.denials ?? 0) + 1;
  const until = new Date(Date.parse(at) + cooldownSeconds(denials) * 1000).toISOString();
  return { denials, until };
}
