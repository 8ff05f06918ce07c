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
  let lo = 0;
  let hi = events.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const event = events[mid]!;
    if (Date.parse(event.occurredAt) <= ms) {
      found = event.streamRevision;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
