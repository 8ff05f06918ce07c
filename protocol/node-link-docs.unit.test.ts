import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderNodeLinkDocs } from '../scripts/node-link-docs';
import { LinkAnswerSchemas, LinkRequestSchemas } from './node-link';

describe('docs/node-links.md', () => {
  it('matches the schemas (regenerate: npx tsx scripts/node-link-docs.ts > docs/node-links.md)', () => {
    expect(readFileSync(new URL('../docs/node-links.md', import.meta.url), 'utf8')).toBe(
      renderNodeLinkDocs(),
    );
  });

  it('documents an answer for every request', () => {
    expect(Object.keys(LinkAnswerSchemas).sort()).toEqual(Object.keys(LinkRequestSchemas).sort());
    for (const type of Object.keys(LinkRequestSchemas))
      expect(renderNodeLinkDocs()).toContain(`### \`${type}\``);
  });
});
