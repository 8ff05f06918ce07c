import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const webRoot = join(repoRoot, 'web');
const builtIndex = join(webRoot, 'dist', 'index.html');

/** Screenshots and other artefacts of the browser tests. */
export const RESULTS_DIR = join(repoRoot, 'test-results');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The server serves web/dist: `npm test` builds it in scripts/setup.sh; a direct `vitest run` of
 * this file rebuilds it when a source is newer than the build, so the test never checks a stale page.
 */
export function ensureWebClientBuilt(): void {
  const sources = Math.max(newestSource(join(webRoot, 'src')), statSync(join(webRoot, 'index.html')).mtimeMs);
  if (existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [
      join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: repoRoot, stdio: 'inherit' },
  );
}
