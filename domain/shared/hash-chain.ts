import { canonicalJson } from './canonical-json';
import type { StoredEvent } from './envelope';

/**
 * The per-stream hash chain (architecture.md, "Events"): each event's hash covers the previous
 * event's hash and the canonical (RFC 8785) form of the event without its global position, which
 * depends on the store, not on the history. The hash function is passed in (SHA-256 hex in
 * production) so that this definition stays pure and every store, pipeline and offline verifier
 * shares it.
 */
export type HashFn = (input: string) => string;

/** Hash of the (empty) stream before its first event. */
export const GENESIS_HASH = '0'.repeat(64);

export type ChainedEvent = Omit<StoredEvent, 'globalPosition'>;

export function eventHash(event: Omit<StoredEvent, 'hash' | 'globalPosition'>, hashFn: HashFn): string {
  const { prevHash, ...rest } = event;
  return hashFn(prevHash + (canonicalJson(rest) ?? ''));
}

export interface ChainHead {
  revision: number;
  hash: string;
}

export type ChainVerdict =
  | { intact: true; events: number; head: ChainHead | null }
  | {
      intact: false;
      events: number;
      /** First revision whose record does not hold. */
      brokenAt: number;
      /**
       * `hash-mismatch`: the event's content no longer gives its stored hash (edited in place);
       * `link-broken`: its prevHash is not the previous event's hash (an event removed, reordered
       * or replaced with its hash recomputed); `revision-gap`: revisions are not 0, 1, 2, …
       */
      reason: 'hash-mismatch' | 'link-broken' | 'revision-gap';
      /** The last revision that still verified (null: none did). */
      lastGood: ChainHead | null;
    };

/** Recomputes a stream's chain from its first event; answers the head or the first broken revision. */
export function verifyChain(events: readonly ChainedEvent[], hashFn: HashFn): ChainVerdict {
  let prev = GENESIS_HASH;
  let head: ChainHead | null = null;
  let expectedRevision = 0;
  for (const event of events) {
    const broken = (reason: 'hash-mismatch' | 'link-broken' | 'revision-gap') =>
      ({
        intact: false,
        events: events.length,
        brokenAt: event.streamRevision,
        reason,
        lastGood: head,
      }) as const;
    if (event.streamRevision !== expectedRevision) return broken('revision-gap');
    if (event.prevHash !== prev) return broken('link-broken');
    const { hash, ...rest } = event;
    const { globalPosition: _position, ...hashed } = rest as typeof rest & { globalPosition?: number };
    if (eventHash(hashed, hashFn) !== hash) return broken('hash-mismatch');
    prev = hash;
    head = { revision: event.streamRevision, hash };
    expectedRevision++;
  }
  return { intact: true, events: events.length, head };
}

/** Verifies a stream's chain from its start; returns the first broken revision, or null. */
export function firstBrokenLink(events: readonly ChainedEvent[], hashFn: HashFn): number | null {
  const verdict = verifyChain(events, hashFn);
  return verdict.intact ? null : verdict.brokenAt;
}
