import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from './node-flags';

describe('the server node flags', () => {
  it('are the ones npm start runs the server with, in order, right after node', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const start = pkg.scripts['start']!;
    expect(start).toContain(`node ${SERVER_NODE_FLAGS.join(' ')} --import tsx app/main.ts`);
  });

  it('are flags V8 knows, each with a value', () => {
    for (const flag of SERVER_NODE_FLAGS) expect(flag).toMatch(/^--[a-z-]+=\d+$/);
  });
});
