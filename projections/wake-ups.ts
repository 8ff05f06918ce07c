export interface PendingWake {
  /** Resolves on the next wakeAll(), or after the delay, whichever comes first. */
  promise: Promise<void>;
  /** Stops listening (and clears the timer) when the waiter no longer needs waking. */
  cancel(): void;
}

/** Lets waiters sleep until something changed here, with a timer for changes made elsewhere. */
export class WakeUps {
  private readonly waiting = new Set<() => void>();

  next(delayMs: number): PendingWake {
    let done!: () => void;
    const promise = new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), delayMs);
      done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
    });
    this.waiting.add(done);
    return { promise, cancel: done };
  }

  wakeAll(): void {
    for (const done of [...this.waiting]) done();
  }

  get size(): number {
    return this.waiting.size;
  }
}
