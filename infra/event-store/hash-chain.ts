import { createHash } from 'node:crypto';
import type { StoredEvent } from '../../domain/shared/envelope';
import * as chain from '../../domain/shared/hash-chain';

/**
 * The stores' binding of the domain's hash chain (domain/shared/hash-chain.ts) to SHA-256.
 * The definition lives in the domain so that pipelines and offline verifiers share it.
 */
export const GENESIS_HASH = chain.GENESIS_HASH;

export const sha256Hex: chain.HashFn = (input) => createHash('sha256').update(input).digest('hex');

export const eventHash = (event: Omit<StoredEvent, 'hash' | 'globalPosition'>): string =>
  chain.eventHash(event, sha256Hex);

export const firstBrokenLink = (events: readonly StoredEvent[]): number | null =>
  chain.firstBrokenLink(events, sha256Hex);
