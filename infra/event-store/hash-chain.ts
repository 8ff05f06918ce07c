import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { StoredEvent } from '../../domain/shared/envelope';

/** Hash of the (empty) stream before its first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Each event's hash covers the previous event's hash and the canonical (RFC 8785) form of the
 * event without its global position, which depends on the store, not on the history. Auditors
 * recompute the chain to prove that a stream was not edited.
 */
export function eventHash(event: Omit<StoredEvent, 'hash' | 'globalPosition'>): string {
  const { prevHash, ...rest } = event;
  return createHash('sha256')
    .update(prevHash)
    .update(canonicalize(rest) ?? '')
    .digest('hex');
}

/** Verifies a stream's chain from its start; returns the first broken revision, or null. */
export function firstBrokenLink(events: readonly StoredEvent[]): number | null {
  let prev = GENESIS_HASH;
  for (const event of events) {
    const { globalPosition: _p, hash, ...rest } = event;
    if (event.prevHash !== prev || eventHash(rest) !== hash) return event.streamRevision;
    prev = hash;
  }
  return null;
}
