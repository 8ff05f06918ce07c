import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDefault = fileURLToPath(
  new URL('../../node_modules/mediasoup/worker/out/Release/mediasoup-worker', import.meta.url),
);

/**
 * For tests and benchmarks, which load media/ without the composition root: make sure mediasoup
 * will find the worker, as `npm test` sets it up (MEDIASOUP_WORKER_BIN, or the package's default
 * path), else the newest build in the cache of scripts/mediasoup/build-worker.sh. Call it before
 * the first import of mediasoup: 3.12 reads the variable once, when its module loads.
 */
export function ensureWorkerBinary(): string {
  const given = process.env['MEDIASOUP_WORKER_BIN'];
  if (given && existsSync(given)) return given;
  if (existsSync(packageDefault)) return packageDefault;
  const found = newestCachedWorker(process.env['CONFER_CACHE_DIR'] ?? join(homedir(), '.cache', 'confer'));
  if (!found) {
    throw new Error('No mediasoup worker: run scripts/mediasoup/build-worker.sh (npm test does it first)');
  }
  process.env['MEDIASOUP_WORKER_BIN'] = found;
  return found;
}

/**
 * The newest worker build in the cache. Each patch set has its own directory (its cache key), so
 * an older build stays beside the current one; the first by name would often be the stale one.
 */
export function newestCachedWorker(cacheRoot: string): string | undefined {
  if (!existsSync(cacheRoot)) return undefined;
  return readdirSync(cacheRoot)
    .filter((name) => name.startsWith('mediasoup-worker-3.12.16-'))
    .map((name) => join(cacheRoot, name, 'mediasoup-worker'))
    .filter((path) => existsSync(path))
    .map((path) => ({ path, built: statSync(path).mtimeMs }))
    .sort((a, b) => b.built - a.built)[0]?.path;
}
