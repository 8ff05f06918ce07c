import { describe, expect, it } from 'vitest';
import { recordSchema, type RecordDraft } from './records';
import { recordId, sequenceRecords } from './sequence';

const event = {
  eventId: 'ev-1',
  meetingId: 'm-1',
  occurredAt: '2026-03-02T09:00:00.000Z',
  globalPosition: 42,
};
const options = {
  source: 'https://confer.example/analytics',
  schemaBase: 'https://confer.example/docs/analytics',
};
const drafts: RecordDraft[] = [
  {
    type: 'confer.talk-time.final.v1',
    discriminator: 'a',
    data: { participantId: 'a', totalMs: 10, turns: 1 },
  },
  {
    type: 'confer.talk-time.final.v1',
    discriminator: 'b',
    data: { participantId: 'b', totalMs: 20, turns: 2 },
  },
];

describe('analytics sequence stage', () => {
  it('numbers records on from the meeting’s last sequence, with no gap', () => {
    expect(sequenceRecords(drafts, event, 7, options).map((r) => r.sequence)).toEqual([8, 9]);
  });

  it('gives the same id and content for the same source event, and distinct ids per record', () => {
    const first = sequenceRecords(drafts, event, 7, options);
    expect(sequenceRecords(drafts, event, 7, options)).toEqual(first);
    expect(new Set(first.map((r) => r.id)).size).toBe(2);
    expect(recordId('ev-2', 'confer.talk-time.final.v1', 'a')).not.toBe(first[0]!.id);
    expect(first[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('produces CloudEvents 1.0 records that validate against their type’s schema', () => {
    for (const record of sequenceRecords(drafts, event, 0, options)) {
      expect(recordSchema(record.type).parse(record)).toEqual(record);
      expect(record).toMatchObject({
        specversion: '1.0',
        subject: 'm-1',
        partitionkey: 'm-1',
        time: event.occurredAt,
        dataschema: `${options.schemaBase}/confer.talk-time.final.v1.json`,
      });
    }
  });
});
