import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from './errors';

describe('error registry', () => {
  const codes = Object.keys(ErrorCodes);
  it('uses one prefix and no duplicate meanings', () => {
    for (const code of codes) expect(code).toMatch(/^CONFER_[A-Z_]+$/);
    const messages = Object.values(ErrorCodes);
    expect(new Set(messages).size).toBe(messages.length);
  });
  it('documents every code in docs/errors.md, and nothing else', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/`(CONFER_[A-Z_]+)`/g)].map((m) => m[1]);
    expect([...documented].sort()).toEqual([...codes].sort());
  });
});
