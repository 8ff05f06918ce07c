import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, time-limited links to the server's own download route, for objects kept in local files:
 * what a pre-signed URL is on S3. A browser's `<video src>` and a download link cannot send an
 * Authorization header, so the right to read one object until a moment travels in the URL.
 */
export const DOWNLOAD_ROUTE = '/recordings/download';

const mac = (secret: string, key: string, exp: number, name: string) =>
  createHmac('sha256', `${secret}:object-download`).update(`${key}\n${exp}\n${name}`).digest('base64url');

export function downloadSigner(secret: string, publicUrl: string) {
  return (key: string, expiresAtMs: number, fileName: string | undefined): string => {
    const exp = Math.floor(expiresAtMs / 1000);
    const name = fileName ?? '';
    const query = new URLSearchParams({ key, exp: String(exp), name, sig: mac(secret, key, exp, name) });
    return `${publicUrl}${DOWNLOAD_ROUTE}?${query.toString()}`;
  };
}

/** True when `sig` signs this key, expiry and name with our secret and the link has not expired. */
export function downloadSignatureValid(
  secret: string,
  query: { key: string; exp: number; name: string; sig: string },
  nowMs: number,
): boolean {
  if (query.exp * 1000 < nowMs) return false;
  const expected = Buffer.from(mac(secret, query.key, query.exp, query.name));
  const given = Buffer.from(query.sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
