import type { StoredEvent } from '../../../domain/shared/envelope';

/**
 * The newest committed events of this process, contiguous in global position, so that live
 * subscribers read what was just written without going back to disk and parsing it again.
 * A gap (another process wrote in between) empties it, and readers fall back to the database.
 *
 * Events are let go as soon as every live subscriber has read them (`release`), not kept for a
 * fixed count: held for seconds, each one outlived the young generation's collections and was
 * copied twice and promoted, which made every scavenge of a busy server slower (a 20,000-event
 * tail was ~80 % of what the event loop allocated during a chat load and still held 3 s later).
 * `capacity` bounds what a slow subscriber keeps held.
 */
export class RecentEvents {
  private events: StoredEvent[] = [];
  /** Global position of the newest event added (held or already let go); undefined: none yet. */
  private end: number | undefined;

  constructor(private readonly capacity: number) {}

  add(committed: readonly StoredEvent[]): void {
    for (const event of committed) {
      if (this.end !== undefined && event.globalPosition !== this.end + 1) this.events = [];
      this.events.push(event);
      this.end = event.globalPosition;
    }
    if (this.events.length > this.capacity * 2) this.events = this.events.slice(-this.capacity);
  }

  /** Lets go of the events at or before `position`: every live reader is past them. */
  release(position: number): void {
    const first = this.events[0];
    if (!first) return;
    const passed = position - first.globalPosition + 1;
    if (passed >= this.events.length) this.events = [];
    else if (passed > 0) this.events.splice(0, passed);
  }

  /**
   * Events after `after` (at most maxCount), or undefined when they are not all held here. An
   * empty answer means "nothing newer held here": only then can the database know more (another
   * process wrote after our newest), so only then must the caller ask it.
   */
  read(after: number, maxCount: number): StoredEvent[] | undefined {
    if (this.end === undefined) return undefined;
    if (after >= this.end) return [];
    const first = this.end - this.events.length + 1;
    if (after < first - 1) return undefined;
    const start = after - first + 1;
    return this.events.slice(start, start + maxCount);
  }
}
