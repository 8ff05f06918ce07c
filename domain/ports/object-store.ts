import { ConferError } from '../shared/errors';

/**
 * Storage for large immutable files (recording segments, composed MP4s): objects addressed by a
 * key of `/`-separated segments, written whole (streamed; multipart when large), read whole or by
 * byte range, listed by prefix. Bodies are async iterables of bytes, which Node streams are, so
 * the port needs no I/O types.
 */
export interface ObjectInfo {
  key: string;
  sizeBytes: number;
  lastModified: Date;
  contentType: string | undefined;
}

export interface PutOptions {
  contentType?: string;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive (HTTP Range semantics); to the end when absent. */
  end?: number;
}

export interface DownloadUrlOptions {
  expiresInSeconds: number;
  /** Suggested file name for the browser (Content-Disposition). */
  fileName?: string;
}

export type ObjectBody = AsyncIterable<Uint8Array> | Uint8Array;

export interface ObjectStore {
  /** Writes the object whole (replacing any former one): readers never see a partial object. */
  put(key: string, body: ObjectBody, options?: PutOptions): Promise<ObjectInfo>;
  /** The object's bytes, or a byte range of them. Throws CONFER_OBJECT_NOT_FOUND. */
  get(key: string, options?: { range?: ByteRange }): Promise<AsyncIterable<Uint8Array>>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /**
   * A URL a browser can fetch the object from without other credentials, valid for a while:
   * pre-signed on S3, signed for the server's own download route on local files.
   */
  downloadUrl(key: string, options: DownloadUrlOptions): Promise<string>;
  close(): Promise<void>;
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.=-]{0,199}$/;

/**
 * Keys are built by the product, never taken from a request as is; still, a key that could climb
 * out of a directory or mean different things to different stores is refused.
 */
export function assertObjectKey(key: string, field = 'key'): void {
  const segments = key.split('/');
  if (key.length > 1000 || segments.some((s) => !SEGMENT.test(s) || s === '.' || s === '..'))
    throw new ConferError('CONFER_VALIDATION_FAILED', `Not an object key: ${JSON.stringify(key)}`, field);
}

/** A prefix is a key, or a key with a trailing `/`, or empty (everything). */
export function assertObjectPrefix(prefix: string): void {
  if (prefix === '') return;
  assertObjectKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix, 'prefix');
}

export const objectNotFound = (key: string) =>
  new ConferError('CONFER_OBJECT_NOT_FOUND', `No object ${JSON.stringify(key)}`, 'key');

/** The store could not be reached or refused our credentials; what was stored is untouched. */
export class ObjectStoreUnavailableError extends ConferError {
  constructor(message: string, cause?: unknown) {
    super('CONFER_OBJECT_STORE_UNAVAILABLE', message);
    this.cause = cause;
    this.name = 'ObjectStoreUnavailableError';
  }
}
