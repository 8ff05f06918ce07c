import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileKey } from '../../domain/meeting/recording.keys';
import type { StageContext } from './fetch-segments';
import { withStoreRetry } from './object-retry';

export interface UploadedFile {
  key: string;
  sizeBytes: number;
  sha256: string;
}

/**
 * Stage 3: the composed file to the object store (multipart on S3), hashed on the way so the
 * SHA-256 is of exactly the bytes sent. Retried whole while the store is away.
 */
export async function uploadRecording(
  path: string,
  recordingId: string,
  ctx: StageContext,
  onFraction: (fraction: number) => void,
): Promise<UploadedFile> {
  const key = fileKey(ctx.meetingId, recordingId);
  const { size } = await stat(path);
  return withStoreRetry(
    async () => {
      const hash = createHash('sha256');
      let sent = 0;
      async function* hashed(): AsyncIterable<Uint8Array> {
        for await (const chunk of createReadStream(path, {
          highWaterMark: 1024 * 1024,
        }) as AsyncIterable<Buffer>) {
          hash.update(chunk);
          sent += chunk.length;
          onFraction(size > 0 ? sent / size : 1);
          yield chunk;
        }
      }
      const info = await ctx.objects.put(key, hashed(), { contentType: 'video/mp4' });
      if (info.sizeBytes !== size) throw new Error(`stored ${info.sizeBytes} bytes of ${size}`);
      return { key, sizeBytes: size, sha256: hash.digest('hex') };
    },
    ctx.retry,
    ctx.signal,
    ctx.onRetry,
  );
}
