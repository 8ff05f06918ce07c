import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { checkpointMessage, type Checkpoint, type SignedCheckpoint } from '../../domain/audit/checkpoint';

export interface AuditSigner {
  keyId: string;
  publicKey: KeyObject;
  sign(checkpoint: Omit<Checkpoint, 'keyId'>): SignedCheckpoint;
}

/** keyId: the first 16 hex digits of SHA-256 over the raw 32-byte public key. */
export function keyIdOf(publicKey: KeyObject): string {
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

export function createAuditSigner(privateKey: KeyObject): AuditSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the audit signing key must be Ed25519');
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  return {
    keyId,
    publicKey,
    sign(fields) {
      // Not `{ ...fields, keyId }`: a spread followed by a new key gets a hidden class of its own
      // on Node 20's V8 (docs/capacity.md, twenty-second session).
      const checkpoint: Checkpoint = Object.assign({}, fields, { keyId });
      const signature = sign(null, Buffer.from(checkpointMessage(checkpoint)), privateKey).toString(
        'base64url',
      );
      return { checkpoint, signature };
    },
  };
}

/** True when `signed` was signed by the private half of `publicKey` and not altered since. */
export function signatureHolds(signed: SignedCheckpoint, publicKey: KeyObject): boolean {
  if (signed.checkpoint.keyId !== keyIdOf(publicKey)) return false;
  try {
    return verify(
      null,
      Buffer.from(checkpointMessage(signed.checkpoint)),
      publicKey,
      Buffer.from(signed.signature, 'base64url'),
    );
  } catch {
    return false;
  }
}

/** The public key as a JWK (RFC 8037 OKP), as published at /.well-known/confer-audit-key. */
export function publicJwk(publicKey: KeyObject) {
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    kty: 'OKP' as const,
    crv: 'Ed25519' as const,
    x: String(jwk.x),
    kid: keyIdOf(publicKey),
    use: 'sig',
    alg: 'EdDSA',
  };
}

/** Reads a public key given as PEM, or as a JWK (what the well-known URL serves). */
export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const jwk = JSON.parse(trimmed) as { kty?: string; crv?: string; x?: string; keys?: unknown[] };
    const key = (Array.isArray(jwk.keys) ? jwk.keys[0] : jwk) as { kty: string; crv: string; x: string };
    return createPublicKey({ key: { kty: key.kty, crv: key.crv, x: key.x }, format: 'jwk' });
  }
  return createPublicKey(trimmed);
}
