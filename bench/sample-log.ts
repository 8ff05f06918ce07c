/**
 * Numbers noted one by one during a load (latencies, send times), kept outside the JavaScript
 * heap: in chunks of typed arrays, whose contents the garbage collector never walks nor copies.
 * A tester thread noting four latencies a chat for minutes (the in-turns method) kept them in
 * growing arrays of numbers, and so collected a heap that grew for as long as the load lasted,
 * pausing its clients' reads inside whichever server's window was on.
 */
export class SampleLog {
  private static readonly CHUNK = 1 << 16;
  private readonly full: Float64Array[] = [];
  private current = new Float64Array(SampleLog.CHUNK);
  private used = 0;

  push(value: number): void {
    if (this.used === this.current.length) {
      this.full.push(this.current);
      this.current = new Float64Array(SampleLog.CHUNK);
      this.used = 0;
    }
    this.current[this.used++] = value;
  }

  get size(): number {
    return this.full.length * SampleLog.CHUNK + this.used;
  }

  /** Every value noted, in order, in one array (which a thread can hand over by transfer). */
  toArray(): Float64Array {
    return SampleLog.concat([...this.full, this.current.subarray(0, this.used)]);
  }

  /** Several arrays of figures (chunks, or several threads' logs) joined into one, in order. */
  static concat(arrays: readonly Float64Array[]): Float64Array {
    const all = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of arrays) {
      all.set(a, at);
      at += a.length;
    }
    return all;
  }
}
