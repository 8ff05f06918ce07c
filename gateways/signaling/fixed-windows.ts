interface Window {
  used: number;
  endsAt: number;
}

/**
 * Per-key budgets of `points` per window of `ms`; a key's window opens with its first message (the
 * semantics of rate-limiter-flexible's in-memory limiter, which this replaced).
 *
 * Written here rather than taken from that library because of what it costs on the chat path, where
 * every message of 5,000 participants passes: the library makes a record and a timer for each key
 * each window, and a promise per check, and under chat load those windows were ~36 % of the objects
 * alive at a scavenge (docs/capacity.md, fourteenth and fifteenth sessions). Here a key has one
 * record for its life, reused window after window, the check is synchronous, and there is no timer:
 * ended windows are swept at most once per `sweepMs`, by whichever check comes first after it.
 */
export class FixedWindows {
  private readonly windows = new Map<string, Window>();
  private nextSweep: number;

  constructor(
    private readonly points: number,
    private readonly ms: number,
    private readonly now: () => number = Date.now,
    private readonly sweepMs = 60_000,
  ) {
    this.nextSweep = now() + sweepMs;
  }

  /** Spends one point of the key's window; false when the window has none left. */
  take(key: string): boolean {
    const now = this.now();
    if (now >= this.nextSweep) this.sweep(now);
    let window = this.windows.get(key);
    if (window === undefined) {
      window = { used: 0, endsAt: now + this.ms };
      this.windows.set(key, window);
    } else if (now >= window.endsAt) {
      window.used = 0;
      window.endsAt = now + this.ms;
    }
    if (window.used >= this.points) return false;
    window.used++;
    return true;
  }

  /** Keys remembered: those with an open window, and ended ones until the next sweep. */
  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    this.nextSweep = now + this.sweepMs;
    for (const [key, window] of this.windows) if (now >= window.endsAt) this.windows.delete(key);
  }
}
