import type { StoredEvent } from '../../../domain/shared/envelope';

/**
 * The newest committed events of this process, contiguous in global position, so that live
 * subscribers read what was just written without going back to disk and parsing it again.
 * A gap (another process wrote in between) empties it, and readers fall back to the database.
 */
export class RecentEvents {
  private events: StoredEvent[] = [];

  constructor(private readonly capacity: number) {}

  add(committed: readonly StoredEvent[]): void {
    for (const event of committed) {
      const last = this.events[this.events.length - 1];
      if (last && event.globalPosition !== last.globalPosition + 1) this.events = [];
      this.events.push(event);
    }
    if (this.events.length > this.capacity * 2) this.events = this.events.slice(-this.capacity);
  }

  /**
   * Events after `after` (at most maxCount), or undefined when they are not all held here. An
   * empty answer means "nothing newer held here": only then can the database know more (another
   * process wrote after our newest), so only then must the caller ask it.
   */
  read(after: number, maxCount: number): StoredEvent[] | undefined {
    const first = this.events[0];
    if (!first || after < first.globalPosition - 1) return undefined;
    const start = after - first.globalPosition + 1;
    return this.events.slice(start, start + maxCount);
  }
}
