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
  for (const event of newer) {
    if (event.streamRevision !== index.head + 1) continue;
    index.tip = replay([event], event.streamRevision, index.tip);
    index.times.push(Date.parse(event.occurredAt));
    if (index.head < 0) index.firstOccurredAt = event.occurredAt;
    index.head = event.streamRevision;
    index.lastOccurredAt = event.occurredAt;
    if (event.type === 'MeetingEnded' && !index.ended)
      index.ended = { revision: event.streamRevision, occurredAt: event.occurredAt };
    if ((event.streamRevision + 1) % index.every === 0) index.snapshots.push(index.tip);
  }
}

/** The newest snapshot at or before `revision` (undefined: fold from the start). */
export function snapshotBefore(index: ReplayIndex, revision: number): Replayed | undefined {
  const slot = Math.floor((revision + 1) / index.every) - 1;
  return slot >= 0 ? index.snapshots[Math.min(slot, index.snapshots.length - 1)] : undefined;
}
