import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  assertObjectKey,
  assertObjectPrefix,
  objectNotFound,
  ObjectStoreUnavailableError,
  type ObjectInfo,
  type ObjectStore,
} from '../../domain/ports/object-store';
import { isConferError } from '../../domain/shared/errors';

export interface S3ObjectStoreOptions {
  bucket: string;
  region: string;
  /** S3-compatible server (MinIO, S3Proxy, Ceph...); AWS itself when absent. */
  endpoint?: string;
  /** `bucket` in the path rather than the host name: what most S3-compatible servers need. */
  forcePathStyle?: boolean;
  /** Absent: the SDK's default chain (environment, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Multipart part size (bytes, at least 5 MiB). */
  partSizeBytes?: number;
  /** Attempts per request before the store counts as unreachable. */
  maxAttempts?: number;
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound']);
/** What says "we cannot use this store now", as opposed to a bug in the request. */
const UNAVAILABLE = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'NoSuchBucket',
  'ServiceUnavailable',
  'SlowDown',
  'InternalError',
  'RequestTimeout',
]);

/** Object store on S3 or an S3-compatible server; large bodies go up in parallel multipart parts. */
export function createS3ObjectStore(options: S3ObjectStoreOptions): ObjectStore {
  const client = new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle ?? false,
    maxAttempts: options.maxAttempts ?? 3,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const Bucket = options.bucket;

  /** Vendor errors become the port's: not found, or unavailable (unreachable, refused credentials). */
  function translate(error: unknown, key: string): Error {
    if (isConferError(error)) return error;
    if (error instanceof S3ServiceException) {
      if (NOT_FOUND.has(error.name) || error.$metadata.httpStatusCode === 404) return objectNotFound(key);
      if (UNAVAILABLE.has(error.name) || (error.$metadata.httpStatusCode ?? 0) >= 500)
        return new ObjectStoreUnavailableError(`S3 bucket ${Bucket}: ${error.name}: ${error.message}`, error);
      if (error.$metadata.httpStatusCode === 403)
        return new ObjectStoreUnavailableError(`S3 bucket ${Bucket} refused the credentials (403)`, error);
      return error;
    }
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (
      typeof code === 'string' ||
      (error instanceof Error && /fetch|socket|ECONN|timeout/i.test(error.message))
    )
      return new ObjectStoreUnavailableError(
        `S3 at ${options.endpoint ?? 'AWS'} unreachable: ${(error as Error).message}`,
        error,
      );
    return error instanceof Error ? error : new Error(String(error));
  }

  async function head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
      return {
        key,
        sizeBytes: out.ContentLength ?? 0,
        lastModified: out.LastModified ?? new Date(0),
        contentType: out.ContentType,
      };
    } catch (error) {
      const translated = translate(error, key);
      if (isConferError(translated) && translated.code === 'CONFER_OBJECT_NOT_FOUND') return undefined;
      throw translated;
    }
  }

  return {
    async put(key, body, putOptions = {}) {
      assertObjectKey(key);
      try {
        const upload = new Upload({
          client,
          params: {
            Bucket,
            Key: key,
            Body: body instanceof Uint8Array ? body : Readable.from(body),
            ...(putOptions.contentType ? { ContentType: putOptions.contentType } : {}),
          },
          partSize: Math.max(5 * 1024 * 1024, options.partSizeBytes ?? 8 * 1024 * 1024),
          queueSize: 2,
          // A failed multipart upload is aborted, so no half object or orphan parts remain.
          leavePartsOnError: false,
        });
        await upload.done();
      } catch (error) {
        throw translate(error, key);
      }
      const stored = await head(key);
      if (!stored) throw objectNotFound(key);
      return stored;
    },

    async get(key, getOptions = {}) {
      assertObjectKey(key);
      const range = getOptions.range;
      try {
        const out = await client.send(
          new GetObjectCommand({
            Bucket,
            Key: key,
            ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}),
          }),
        );
        if (!out.Body) throw objectNotFound(key);
        return out.Body as Readable;
      } catch (error) {
        throw translate(error, key);
      }
    },

    async head(key) {
      assertObjectKey(key);
      return head(key);
    },

    async list(prefix) {
      assertObjectPrefix(prefix);
      const out: ObjectInfo[] = [];
      let ContinuationToken: string | undefined;
      try {
        do {
          const page = await client.send(
            new ListObjectsV2Command({
              Bucket,
              Prefix: prefix,
              ...(ContinuationToken ? { ContinuationToken } : {}),
            }),
          );
          for (const o of page.Contents ?? [])
            if (o.Key)
              out.push({
                key: o.Key,
                sizeBytes: o.Size ?? 0,
                lastModified: o.LastModified ?? new Date(0),
                contentType: undefined,
              });
          ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (ContinuationToken);
      } catch (error) {
        throw translate(error, prefix);
      }
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },

    async delete(key) {
      assertObjectKey(key);
      try {
        await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
      } catch (error) {
        const translated = translate(error, key);
        if (isConferError(translated) && translated.code === 'CONFER_OBJECT_NOT_FOUND') return;
        throw translated;
      }
    },

    async downloadUrl(key, urlOptions) {
      assertObjectKey(key);
      const disposition = urlOptions.fileName
        ? `attachment; filename="${urlOptions.fileName.replace(/[^A-Za-z0-9_.-]/g, '_')}"`
        : undefined;
      return getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket,
          Key: key,
          ...(disposition ? { ResponseContentDisposition: disposition } : {}),
        }),
        { expiresIn: urlOptions.expiresInSeconds },
      );
    },

    async close() {
      client.destroy();
    },
  };
}
