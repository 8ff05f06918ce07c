import { z } from 'zod';
import { MeetingEventSchemas } from '../domain/meeting/meeting.events';
import { StoredEventSchema } from '../domain/shared/envelope';

/**
 * Renders docs/events.md, the documented, versioned contract of the meeting event stream that
 * analysts, recording and audit pipelines consume, from the zod schemas themselves, so the page
 * cannot drift from the code (a test compares them). `npx tsx scripts/event-catalogue.ts > docs/events.md`
 */
export function renderEventCatalogue(): string {
  const out: string[] = [
    '# Meeting events (the stream contract)',
    '',
    'Generated from `domain/meeting/meeting.events.ts` and `domain/shared/envelope.ts` by `npx tsx scripts/event-catalogue.ts > docs/events.md`; a test fails when it is out of date.',
    '',
    'Every event is a past-tense fact in the stream `meeting-<meetingId>`, in the order it happened. On Kafka it is the message value (JSON), keyed by `meetingId`, with headers `event-type` and `schema-version`. A schema, once released, never changes: a change is a new version, and older versions are upcast when read (`domain/meeting/meeting.upcasters.ts`), so consumers may rely on each `(type, schemaVersion)` pair below forever.',
    '',
    '## Envelope',
    '',
    '```json',
    JSON.stringify(z.toJSONSchema(StoredEventSchema, { unrepresentable: 'any' }), null, 2),
    '```',
    '',
    '- `streamRevision`: position of the event in its meeting (0-based, no gaps): order and deduplication per meeting.',
    '- `globalPosition`: position across all meetings, assigned by the store.',
    '- `hash` = SHA-256 of `prevHash` and the canonical (RFC 8785) event without `globalPosition`: a per-meeting hash chain auditors verify.',
    '- `actor`: who caused it (`participant` with `participantId`, the `host` token holder, or `system` with a reason).',
    '',
    '## Event types',
    '',
  ];
  for (const [type, versions] of Object.entries(MeetingEventSchemas)) {
    for (const [version, schema] of Object.entries(versions as Record<string, z.ZodType>)) {
      out.push(
        `### ${type} v${version}`,
        '',
        '```json',
        JSON.stringify(z.toJSONSchema(schema), null, 2),
        '```',
        '',
      );
    }
  }
  return `${out.join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(renderEventCatalogue());
