import type { IHeaders, Message } from 'kafkajs';
import type { StoredEvent } from '../../../domain/shared/envelope';

/**
 * The wire form of one event (docs/kafka.md is the analysts' description of it): keyed by meeting
 * id, so one meeting's events share a partition and keep their order; the value is the stored
 * envelope as JSON, the headers repeat what a router or analyst filters on without parsing.
 */
export const Header = {
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  eventId: 'event-id',
  meetingId: 'meeting-id',
  globalPosition: 'global-position',
  contentType: 'content-type',
} as const;

/** Added when a message is parked on the dead-letter topic. */
export const DeadLetterHeader = {
  reason: 'dlq-reason',
  detail: 'dlq-detail',
  group: 'dlq-consumer-group',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  parkedAt: 'dlq-parked-at',
} as const;

export const CONTENT_TYPE = 'application/json';

export function encodeEvent(event: StoredEvent): Message {
  const headers: IHeaders = {
    [Header.eventType]: event.type,
    [Header.schemaVersion]: String(event.schemaVersion),
    [Header.eventId]: event.eventId,
    [Header.meetingId]: event.meetingId,
    [Header.globalPosition]: String(event.globalPosition),
    [Header.contentType]: CONTENT_TYPE,
  };
  return { key: event.meetingId, value: JSON.stringify(event), headers };
}

export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;
