import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../domain/ports/object-store';
import { ConferError } from '../../domain/shared/errors';

export async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function* chunked(data: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof ConferError ? error.code : `not a ConferError: ${String(error)}`;
  }
}

/**
 * The one contract every ObjectStore adapter passes. Each test works under a prefix of its own,
 * so a store shared by the whole suite (one bucket, one directory) needs no emptying.
 */
export function describeObjectStoreContract(
  name: string,
  create: () => Promise<ObjectStore>,
  options: {
    /** Fetch a download URL as a browser would (S3: plain GET of the pre-signed URL). */
    fetchDownload?: (url: string) => Promise<Buffer>;
  } = {},
) {
  describe(`ObjectStore contract: ${name}`, () => {
    let store: ObjectStore;
    let p: string;
    beforeEach(async () => {
      store = await create();
      p = `t-${randomUUID()}`;
    });
    afterEach(async () => {
      await store.close();
    });

    it('returns what was put, with its size and content type', async () => {
      const data = Buffer.from('hello, recording ✓');
      const info = await store.put(`${p}/a.txt`, data, { contentType: 'text/plain' });
      expect(info).toMatchObject({ key: `${p}/a.txt`, sizeBytes: data.length });
      expect((await readAll(await store.get(`${p}/a.txt`))).equals(data)).toBe(true);
      const head = await store.head(`${p}/a.txt`);
      expect(head).toMatchObject({ key: `${p}/a.txt`, sizeBytes: data.length, contentType: 'text/plain' });
      expect(head?.lastModified).toBeInstanceOf(Date);
    });

    it('stores a streamed body larger than one multipart part, byte for byte', async () => {
      const data = randomBytes(11 * 1024 * 1024 + 123);
      const info = await store.put(`${p}/big.bin`, chunked(data, 64 * 1024));
      expect(info.sizeBytes).toBe(data.length);
      expect((await readAll(await store.get(`${p}/big.bin`))).equals(data)).toBe(true);
    });

    it('reads a byte range, inclusive, and to the end when open', async () => {
      const data = Buffer.from('0123456789abcdef');
      await store.put(`${p}/r`, data);
      expect((await readAll(await store.get(`${p}/r`, { range: { start: 3, end: 6 } }))).toString()).toBe(
        '3456',
      );
      expect((await readAll(await store.get(`${p}/r`, { range: { start: 12 } }))).toString()).toBe('cdef');
    });

    it('replaces an object put again under the same key', async () => {
      await store.put(`${p}/x`, Buffer.from('first version'));
      await store.put(`${p}/x`, Buffer.from('second'));
      expect((await readAll(await store.get(`${p}/x`))).toString()).toBe('second');
      expect((await store.head(`${p}/x`))?.sizeBytes).toBe(6);
    });

    it('lists by prefix in key order, and nothing of other prefixes', async () => {
      for (const k of ['seg/002.mkv', 'seg/000.mkv', 'seg/001.mkv', 'other/000.mkv', 'segment.txt'])
        await store.put(`${p}/${k}`, Buffer.from(k));
      const listed = await store.list(`${p}/seg/`);
      expect(listed.map((o) => o.key)).toEqual([`${p}/seg/000.mkv`, `${p}/seg/001.mkv`, `${p}/seg/002.mkv`]);
      expect(listed[0]?.sizeBytes).toBe('seg/000.mkv'.length);
      expect((await store.list(`${p}/seg`)).map((o) => o.key)).toHaveLength(4);
      expect(await store.list(`${p}/none/`)).toEqual([]);
    });

    it('deletes, and deleting a missing object is no error', async () => {
      await store.put(`${p}/gone`, Buffer.from('x'));
      await store.delete(`${p}/gone`);
      expect(await store.head(`${p}/gone`)).toBeUndefined();
      expect(await store.list(`${p}/`)).toEqual([]);
      await store.delete(`${p}/never-was`);
    });

    it('says CONFER_OBJECT_NOT_FOUND for a missing object, undefined from head', async () => {
      expect(await codeOf(store.get(`${p}/missing`))).toBe('CONFER_OBJECT_NOT_FOUND');
      expect(await store.head(`${p}/missing`)).toBeUndefined();
    });

    it('refuses keys that could escape or be read two ways', async () => {
      for (const bad of ['../x', `${p}/../x`, `${p}//x`, '/abs', `${p}/.hidden`, '', `${p}/a b`])
        expect(await codeOf(store.put(bad, Buffer.from('x')))).toBe('CONFER_VALIDATION_FAILED');
      expect(await codeOf(store.list('../'))).toBe('CONFER_VALIDATION_FAILED');
    });

    it('gives a download URL that serves the object', async () => {
      const data = Buffer.from('downloadable bytes');
      await store.put(`${p}/d.mp4`, data, { contentType: 'video/mp4' });
      const url = await store.downloadUrl(`${p}/d.mp4`, { expiresInSeconds: 60, fileName: 'meeting.mp4' });
      expect(() => new URL(url)).not.toThrow();
      expect(await store.downloadUrl(`${p}/e.mp4`, { expiresInSeconds: 60 })).not.toBe(url);
      if (options.fetchDownload) expect((await options.fetchDownload(url)).equals(data)).toBe(true);
    });
  });
}
