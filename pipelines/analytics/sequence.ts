import { createHash } from 'node:crypto';
import type { AnalyticsRecord, RecordDraft } from './records';

/**
 * Stage 2, pure: places a source event's drafts in the meeting's sequence and wraps each in its
 * CloudEvents envelope. The id is a hash of (source event id, type, discriminator) and every other
 * attribute comes from the event, so processing the same event again (after a crash, on another
 * node) yields byte-identical records: a consumer never sees one id with two contents.
 */
export interface SourceEvent {
  eventId: string;
  meetingId: string;
  occurredAt: string;
  /** null: not derived from a stored event (quality samples, client reports). */
  globalPosition: number | null;
}

export interface EnvelopeOptions {
  /** CloudEvents `source`: which deployment produced the records (a URI reference). */
  source: string;
  /** Base of `dataschema`: `${schemaBase}/${type}.json`. */
  schemaBase: string;
}

/** A deterministic, UUID-shaped id (the layout of a name-based UUID, from SHA-256). */
export function recordId(eventId: string, type: string, discriminator: string): string {
  const hex = createHash('sha256').update(`${eventId}\u0000${type}\u0000${discriminator}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function sequenceRecords(
  drafts: readonly RecordDraft[],
  event: SourceEvent,
  lastSequence: number,
  options: EnvelopeOptions,
): AnalyticsRecord[] {
  return drafts.map(
    (draft, i) =>
      ({
        specversion: '1.0',
        id: recordId(event.eventId, draft.type, draft.discriminator),
        source: options.source,
        type: draft.type,
        time: event.occurredAt,
        subject: event.meetingId,
        datacontenttype: 'application/json',
        dataschema: `${options.schemaBase}/${draft.type}.json`,
        sequence: lastSequence + i + 1,
        partitionkey: event.meetingId,
        conferposition: event.globalPosition,
        data: draft.data,
      }) as AnalyticsRecord,
  );
}
