/**
 * The last few things that happened to a session, each with its time, newest last: kept for a
 * person (or a test) asking why a tile froze, never sent anywhere. Bounded, so a long meeting
 * with a flaky network keeps only what is recent.
 */
export class RecentLog<T extends object> {
  private readonly kept: Array<T & { at: string }> = [];

  constructor(private readonly capacity = 20) {}

  add(entry: T): void {
    this.kept.push({ ...entry, at: new Date().toISOString() });
    if (this.kept.length > this.capacity) this.kept.shift();
  }

  get entries(): ReadonlyArray<T & { at: string }> {
    return this.kept;
  }
}
