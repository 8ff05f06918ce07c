import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEventCatalogue } from '../../scripts/event-catalogue';

describe('docs/events.md', () => {
  it('matches the event schemas (regenerate: npx tsx scripts/event-catalogue.ts > docs/events.md)', () => {
    expect(readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8')).toBe(
      renderEventCatalogue(),
    );
  });
});
