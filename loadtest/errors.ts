/**
 * A failure the load tester counts by code: the server's own codes (`CONFER_…`, from REST bodies,
 * acknowledgements and refused connections) or the tester's (`TIMEOUT`, `DISCONNECTED`, …).
 */
export class LoadTestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LoadTestError';
  }
}

export const codeOf = (error: unknown): string =>
  error instanceof LoadTestError ? error.code : error instanceof Error ? error.name || 'ERROR' : 'ERROR';

/** Counts of failures, by code, with one example message each (for the report). */
export class ErrorTally {
  private readonly counts = new Map<string, { count: number; example: string }>();

  add(error: unknown, where: string): void {
    const code = codeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    const entry = this.counts.get(code);
    if (entry) entry.count++;
    else this.counts.set(code, { count: 1, example: `${where}: ${message}`.slice(0, 200) });
  }

  /** Counts tallied elsewhere (a subscriber thread), added to these. */
  addEntries(entries: { code: string; count: number; example: string }[]): void {
    for (const { code, count, example } of entries) {
      const entry = this.counts.get(code);
      if (entry) entry.count += count;
      else this.counts.set(code, { count, example });
    }
  }

  get total(): number {
    let n = 0;
    for (const { count } of this.counts.values()) n += count;
    return n;
  }

  entries(): { code: string; count: number; example: string }[] {
    return [...this.counts].map(([code, v]) => ({ code, ...v })).sort((a, b) => b.count - a.count);
  }
}
