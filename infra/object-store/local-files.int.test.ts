import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeObjectStoreContract, readAll } from '../../test/contracts/object-store.contract';
import { createLocalObjectStore } from './local-files';

const root = mkdtempSync(join(tmpdir(), 'confer-objects-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const signDownload = (key: string, expiresAtMs: number) =>
  `http://127.0.0.1:1/recordings/download?key=${encodeURIComponent(key)}&exp=${expiresAtMs}`;

describeObjectStoreContract('local files', async () => createLocalObjectStore({ root, signDownload }));

describe('local object store', () => {
  it('leaves no temporary file behind, and the former object, when a streamed put fails', async () => {
    const store = createLocalObjectStore({ root, signDownload });
    await store.put('fail/x', Buffer.from('kept'));
    async function* dies(): AsyncIterable<Uint8Array> {
      yield Buffer.from('partial');
      throw new Error('the recorder died');
    }
    await expect(store.put('fail/x', dies())).rejects.toThrow('the recorder died');
    expect((await readAll(await store.get('fail/x'))).toString()).toBe('kept');
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
  });
});
