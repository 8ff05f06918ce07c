import type { StoredEvent } from '../shared/envelope';
import { ConferError } from '../shared/errors';
import { CurrentVersion, MeetingEventSchemas, isMeetingEventType, type MeetingEvent } from './meeting.events';

/**
 * Upcasters turn version N of an event's data into version N+1. Stored events are never rewritten:
 * old versions are upcast each time they are read. Keyed by type, then by the version they read.
 */
export type Upcaster = (data: unknown) => unknown;
export type UpcasterTable = Partial<Record<string, Record<number, Upcaster>>>;

export const meetingUpcasters: UpcasterTable = {
  // v1 did not say which node the socket was on: unknown, so no node can be blamed for it.
  ParticipantConnectionChanged: { 1: (d) => ({ ...(d as object), nodeId: null }) },
  // v1 producers were hosted by the meeting's media node, whichever it was then: null says so.
  MediaPublished: { 1: (d) => ({ ...(d as object), nodeId: null }) },
  // v1 joins and knocks came without a device id: unknown, so they bar and slow down no browser.
  ParticipantJoined: { 1: (d) => ({ ...(d as object), deviceId: null }) },
  ParticipantWaiting: { 1: (d) => ({ ...(d as object), deviceId: null }) },
};

export function upcast(
  type: string,
  version: number,
  data: unknown,
  targetVersion: number,
  table: UpcasterTable,
): unknown {
  let current = data;
  for (let v = version; v < targetVersion; v++) {
    const step = table[type]?.[v];
    if (!step) throw new ConferError('CONFER_VALIDATION_FAILED', `No upcaster for ${type} v${v} → v${v + 1}`);
    current = step(current);
  }
  return current;
}

/** Parses a stored event into the current-version domain event; unknown types give undefined. */
export function toMeetingEvent(
  stored: Pick<StoredEvent, 'type' | 'schemaVersion' | 'data'>,
): MeetingEvent | undefined {
  const { type } = stored;
  if (!isMeetingEventType(type)) return undefined;
  const target = CurrentVersion[type];
  if (stored.schemaVersion > target) {
    throw new ConferError(
      'CONFER_VALIDATION_FAILED',
      `${type} v${stored.schemaVersion} is newer than this code (v${target})`,
    );
  }
  const data = upcast(type, stored.schemaVersion, stored.data, target, meetingUpcasters);
  const schema = (MeetingEventSchemas[type] as Record<number, { parse(d: unknown): unknown }>)[target];
  if (!schema) throw new ConferError('CONFER_VALIDATION_FAILED', `No schema for ${type} v${target}`);
  return { type, data: schema.parse(data) } as MeetingEvent;
}
