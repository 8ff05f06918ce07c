import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertObjectKey,
  assertObjectPrefix,
  objectNotFound,
  type DownloadUrlOptions,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
} from '../../domain/ports/object-store';

export interface LocalObjectStoreOptions {
  /** Directory holding the objects (created if missing), e.g. `<DATA_DIR>/objects`. */
  root: string;
  /**
   * A URL of this server's download route, signed for `key` until `expiresAt` (ms): the route
   * checks the signature and streams the object, so a `<video src>` can play it without a header.
   */
  signDownload(key: string, expiresAtMs: number, fileName: string | undefined): string;
  now?: () => number;
}

interface Meta {
  contentType?: string;
}

/**
 * The embedded object store: one file per object under `root`, written to a temporary file and
 * renamed into place, so a crash mid-write leaves the former object or none, never half of one.
 * Metadata sits in a parallel tree under `.meta/` and temporary files under `.tmp/` (no key
 * segment starts with a dot, so neither can collide with an object).
 */
export function createLocalObjectStore(options: LocalObjectStoreOptions): ObjectStore {
  const { root } = options;
  const now = options.now ?? Date.now;
  const pathOf = (key: string) => join(root, ...key.split('/'));
  const metaOf = (key: string) => join(root, '.meta', ...key.split('/')) + '.json';

  async function info(key: string): Promise<ObjectInfo | undefined> {
    const stats = await stat(pathOf(key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (!stats?.isFile()) return undefined;
    const meta = await readFile(metaOf(key), 'utf8')
      .then((text) => JSON.parse(text) as Meta)
      .catch(() => ({}) as Meta);
    return { key, sizeBytes: stats.size, lastModified: stats.mtime, contentType: meta.contentType };
  }

  async function walk(dir: string, out: string[]): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path, out);
      else if (entry.isFile()) out.push(relative(root, path).split(sep).join('/'));
    }
  }

  return {
    async put(key: string, body: ObjectBody, putOptions: PutOptions = {}): Promise<ObjectInfo> {
      assertObjectKey(key);
      const tmpDir = join(root, '.tmp');
      await mkdir(tmpDir, { recursive: true });
      const tmp = join(tmpDir, randomUUID());
      let file: WriteStream | undefined;
      try {
        const source = body instanceof Uint8Array ? Readable.from([body]) : Readable.from(body);
        file = createWriteStream(tmp, { flags: 'wx' });
        await pipeline(source, file);
        await mkdir(dirname(pathOf(key)), { recursive: true });
        await mkdir(dirname(metaOf(key)), { recursive: true });
        await writeFile(metaOf(key), JSON.stringify({ contentType: putOptions.contentType } satisfies Meta));
        await rename(tmp, pathOf(key));
      } catch (error) {
        // The file is opened asynchronously: a source failing first would otherwise let the open
        // create it after the removal. Removed only once the stream has closed.
        if (file && !file.closed) await new Promise<void>((resolve) => file!.once('close', () => resolve()));
        await rm(tmp, { force: true });
        throw error;
      }
      const stored = await info(key);
      if (!stored) throw objectNotFound(key);
      return stored;
    },

    async get(key, getOptions = {}) {
      assertObjectKey(key);
      const stored = await info(key);
      if (!stored) throw objectNotFound(key);
      const range = getOptions.range;
      return createReadStream(pathOf(key), range ? { start: range.start, end: range.end } : {});
    },

    async head(key) {
      assertObjectKey(key);
      return info(key);
    },

    async list(prefix) {
      assertObjectPrefix(prefix);
      const keys: string[] = [];
      // Only the directory the prefix points into needs walking.
      const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
      await walk(base ? pathOf(base) : root, keys);
      const matching = keys.filter((k) => k.startsWith(prefix)).sort();
      const infos = await Promise.all(matching.map(info));
      return infos.filter((i): i is ObjectInfo => i !== undefined);
    },

    async delete(key) {
      assertObjectKey(key);
      await rm(pathOf(key), { force: true });
      await rm(metaOf(key), { force: true });
    },

    async downloadUrl(key: string, urlOptions: DownloadUrlOptions) {
      assertObjectKey(key);
      return options.signDownload(key, now() + urlOptions.expiresInSeconds * 1000, urlOptions.fileName);
    },

    async close() {},
  };
}
