import { spawnSync } from 'node:child_process';
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

  it('are settings with a value or switches, which node starts with without a word', () => {
    for (const flag of SERVER_NODE_FLAGS) expect(flag).toMatch(/^--[a-z-]+(=\d+)?$/);
    // node refuses an option it does not know ("bad option"); V8 warns of a flag it does not know.
    const run = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, '-e', '0'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
