import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderAnalyticsDocs } from '../../scripts/analytics-schemas';
import { analyticsJsonSchemas } from './json-schemas';
import { recordTypes } from './records';

describe('analytics JSON Schemas', () => {
  it('exist for every record type, each fixing its type name and requiring the CloudEvents attributes', () => {
    const schemas = analyticsJsonSchemas() as Record<
      string,
      { properties: Record<string, { const?: string }>; required: string[] }
    >;
    expect(Object.keys(schemas).sort()).toEqual([...recordTypes].sort());
    for (const type of recordTypes) {
      expect(schemas[type]!.properties['type']!.const).toBe(type);
      expect(schemas[type]!.required).toEqual(
        expect.arrayContaining([
          'specversion',
          'id',
          'source',
          'type',
          'time',
          'subject',
          'sequence',
          'dataschema',
          'data',
        ]),
      );
    }
  });

  it('are written to docs/analytics as generated (run `npx tsx scripts/analytics-schemas.ts`)', () => {
    const dir = join(process.cwd(), 'docs', 'analytics');
    const expected = renderAnalyticsDocs();
    expect(readdirSync(dir).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, text] of Object.entries(expected))
      expect(readFileSync(join(dir, name), 'utf8'), name).toBe(text);
  });
});
