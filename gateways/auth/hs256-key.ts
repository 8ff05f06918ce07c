/**
 * The deployment's secret as an HS256 signing key, imported once. Handed the raw bytes, jose
 * imports them into a WebCrypto key at every sign and every verify (~25 KB of garbage and an
 * asynchronous import each: a tenth of what a join allocated); handed this key, it signs at once.
 */
export function hs256Key(secret: string): Promise<CryptoKey> {
  const key = crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  // Every sign and verify awaits it and reports a refused secret; until one does, it is no crash.
  key.catch(() => undefined);
  return key;
}
