import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newestCachedWorker } from './worker-binary';

describe('the cached mediasoup worker', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  const build = (root: string, key: string, builtAt: Date) => {
    mkdirSync(join(root, `mediasoup-worker-3.12.16-${key}`));
    const path = join(root, `mediasoup-worker-3.12.16-${key}`, 'mediasoup-worker');
    writeFileSync(path, '');
    utimesSync(path, builtAt, builtAt);
    return path;
  };

  it('is the newest build, not the first by name (a patch change leaves the old build beside it)', () => {
    const root = mkdtempSync(join(tmpdir(), 'confer-cache-'));
    roots.push(root);
    build(root, '06a2db39bd6f', new Date('2026-12-03T14:21:00Z'));
    const current = build(root, 'b0ba1fc04770', new Date('2026-12-03T15:13:00Z'));
    mkdirSync(join(root, 'mediasoup-worker-3.12.16-ffffffffffff')); // a build that never finished
    mkdirSync(join(root, 'kafka-4.4.0'));
    expect(newestCachedWorker(root)).toBe(current);
  });

  it('is none in an empty or missing cache', () => {
    const root = mkdtempSync(join(tmpdir(), 'confer-cache-'));
    roots.push(root);
    expect(newestCachedWorker(root)).toBeUndefined();
    expect(newestCachedWorker(join(root, 'missing'))).toBeUndefined();
  });
});
