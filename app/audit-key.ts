import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConferError } from '../domain/shared/errors';

/**
 * The Ed25519 key that signs audit checkpoints: AUDIT_SIGNING_KEY when set (PEM, or base64 of the
 * PKCS#8 DER; every node of a deployment must share one), otherwise made once and kept in DATA_DIR
 * (like app/secret.ts) so that checkpoints signed before a restart still verify after it.
 */
export function loadOrCreateAuditKey(dataDir: string, configured: string | undefined): KeyObject {
  if (configured) return parsePrivateKey(configured);
  const path = join(dataDir, 'audit-signing-key.pem');
  if (existsSync(path)) return parsePrivateKey(readFileSync(path, 'utf8'));
  mkdirSync(dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  return privateKey;
}

/** The key if the deployment has one (configured, or already made in DATA_DIR); never makes one. */
export function findAuditKey(dataDir: string, configured: string | undefined): KeyObject | undefined {
  if (configured) return parsePrivateKey(configured);
  const path = join(dataDir, 'audit-signing-key.pem');
  return existsSync(path) ? parsePrivateKey(readFileSync(path, 'utf8')) : undefined;
}

export function parsePrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    key = trimmed.startsWith('-----BEGIN')
      ? createPrivateKey(trimmed)
      : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new ConferError(
      'CONFER_AUDIT_KEY_INVALID',
      'AUDIT_SIGNING_KEY: not a PEM or base64 PKCS#8 private key',
    );
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new ConferError(
      'CONFER_AUDIT_KEY_INVALID',
      `AUDIT_SIGNING_KEY: an ${key.asymmetricKeyType} key, not Ed25519`,
    );
  return key;
}
