import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStoreUnavailableError } from '../../domain/ports/object-store';
import { describeObjectStoreContract } from '../../test/contracts/object-store.contract';
import { freePort } from '../../test/support/free-port';
import { startS3, type S3Server } from '../../test/support/s3-server';
import { createS3ObjectStore, type S3ObjectStoreOptions } from './s3';

let s3: S3Server;
beforeAll(async () => {
  s3 = await startS3();
}, 60_000);
afterAll(async () => {
  await s3?.stop();
});

const optionsFor = (
  server: S3Server,
  overrides: Partial<S3ObjectStoreOptions> = {},
): S3ObjectStoreOptions => ({
  bucket: server.bucket ?? 'confer-test',
  region: server.region,
  endpoint: server.endpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  partSizeBytes: 5 * 1024 * 1024,
  ...overrides,
});

describeObjectStoreContract('S3 (S3Proxy)', async () => createS3ObjectStore(optionsFor(s3)), {
  fetchDownload: async (url) => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  },
});

describe('S3 object store faults', () => {
  it('reports refused credentials as the store being unavailable, naming the reason', async () => {
    const store = createS3ObjectStore(
      optionsFor(s3, { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: 'wrong-secret' } }),
    );
    const error = await store.put('x/y', Buffer.from('z')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectStoreUnavailableError);
    expect((error as Error).message).toMatch(/SignatureDoesNotMatch|403|refused/);
    await store.close();
  });

  it('reports a server that does not answer as unavailable', async () => {
    const port = await freePort('127.0.0.1');
    const store = createS3ObjectStore(
      optionsFor(s3, { endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 }),
    );
    const error = await store.head('x/y').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectStoreUnavailableError);
    await store.close();
  });
});
