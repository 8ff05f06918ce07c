import type { StoredEvent } from '../../domain/shared/envelope';
import { replay, type Replayed } from './replay';
import { revisionAtTimeIndex } from './revision-at-time';
import type { StreamOutline } from './target-revision';

/**
 * What the audit keeps of a meeting between requests, so that moving a slider over a long
 * meeting does not re-read and re-fold its whole stream each time: every event's time (the
 * time → revision index), the state every `every` revisions (snapshots), and the state at the
 * head. It grows by reading only the events appended since (streams are append-only); the
 * snapshots are pure folds of the same events, so they can be dropped and rebuilt at any time.
 */
export interface ReplayIndex extends StreamOutline {
  times: number[];
  snapshots: Replayed[];
  tip: Replayed;
  every: number;
}

export function emptyIndex(every: number): ReplayIndex {
  const index: ReplayIndex = {
    head: -1,
    firstOccurredAt: '',
    lastOccurredAt: '',
    ended: null,
    times: [],
    snapshots: [],
    tip: replay([], -1),
    every,
    revisionAtTime: (ms) => revisionAtTimeIndex(index.times, ms),
  };
  return index;
}

/** Extends the index with events that follow its head (in revision order). */
export function extendIndex(index: ReplayIndex, newer: readonly StoredEvent[]): void {
  const fresh = newer.filter((e) => e.streamRevision > index.head);
  for (let i = 0; i < fresh.length;) {
    // Fold up to the next snapshot boundary in one call (one copy of the chat tail per segment).
    const event = fresh[i]!;
    if (event.streamRevision !== index.head + 1) return; // a gap: wait for the missing events
    const boundary = (Math.floor(event.streamRevision / index.every) + 1) * index.every - 1;
    const segment: StoredEvent[] = [];
    while (i < fresh.length && fresh[i]!.streamRevision <= boundary) {
      const next = fresh[i]!;
      if (next.streamRevision !== index.head + 1 + segment.length) break;
      segment.push(next);
      i++;
    }
    for (const e of segment) {
      index.times.push(Date.parse(e.occurredAt));
      if (e.type === 'MeetingEnded' && !index.ended)
        index.ended = { revision: e.streamRevision, occurredAt: e.occurredAt };
    }
    const last = segment[segment.length - 1]!;
    index.tip = replay(segment, last.streamRevision, index.tip);
    if (index.head < 0) index.firstOccurredAt = segment[0]!.occurredAt;
    index.head = last.streamRevision;
    index.lastOccurredAt = last.occurredAt;
    if (index.head === boundary) index.snapshots.push(index.tip);
    if (i < fresh.length && fresh[i]!.streamRevision !== index.head + 1) return;
  }
}

/** The newest snapshot at or before `revision` (undefined: fold from the start). */
export function snapshotBefore(index: ReplayIndex, revision: number): Replayed | undefined {
  const slot = Math.floor((revision + 1) / index.every) - 1;
  return slot >= 0 ? index.snapshots[Math.min(slot, index.snapshots.length - 1)] : undefined;
}
