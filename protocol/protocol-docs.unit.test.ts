import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../domain/shared/errors';
import { renderProtocolDocs } from '../scripts/protocol-docs';
import { clientExamples, clientRules } from './examples';
import { ClientMessageSchemas, clientMessageTypes } from './signaling';

describe('docs/protocol.md', () => {
  it('matches the schemas and examples (regenerate: npx tsx scripts/protocol-docs.ts > docs/protocol.md)', () => {
    expect(readFileSync(new URL('../docs/protocol.md', import.meta.url), 'utf8')).toBe(renderProtocolDocs());
  });

  it.each(clientMessageTypes)('documents %s with an example its schema accepts (type included)', (type) => {
    const { type: own, ...payload } = clientExamples[type];
    expect(own).toBe(type);
    expect(ClientMessageSchemas[type].safeParse(payload).error).toBeUndefined();
    for (const code of clientRules[type].errors) expect(Object.keys(ErrorCodes)).toContain(code);
  });
});
