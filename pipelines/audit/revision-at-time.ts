/**
 * Time → revision: the last event recorded at or before `ms`, by binary search over the
 * stream's `occurredAt` (O(log n) comparisons instead of parsing every timestamp). It relies on
 * occurredAt not decreasing along a stream, which holds while one node at a time writes a
 * meeting (the command handler serialises them); a clock stepping back on a failover could make
 * a few events look out of order, and the search then lands on either side of them.
 * Returns -1 when every event is later than `ms`.
 */
export function revisionAtTime(
  events: readonly { occurredAt: string; streamRevision: number }[],
  ms: number,
): number {
  const found = searchTimes(events.length, (i) => Date.parse(events[i]!.occurredAt), ms);
  return found < 0 ? -1 : events[found]!.streamRevision;
}

/** The same search over times already parsed (the replay index keeps them per revision). */
export const revisionAtTimeIndex = (times: readonly number[], ms: number): number =>
  searchTimes(times.length, (i) => times[i]!, ms);

function searchTimes(length: number, timeAt: (index: number) => number, ms: number): number {
  let lo = 0;
  let hi = length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (timeAt(mid) <= ms) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
