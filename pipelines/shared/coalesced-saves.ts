/**
 * Saves that never queue behind one another: while one save runs, everything asked for meanwhile
 * is saved by ONE next save (the values merged: the highest position, the union of per-meeting
 * revisions), and each caller's promise settles with the save that covers its value: it resolves
 * once that save is stored, and rejects if it failed, so a caller still learns of every failure.
 *
 * Why: the forwarder saved after every batch, one save at a time. On the embedded store the save
 * is a transaction that waits for the SQLite write lock the read models' thread holds for its own
 * batches, so under load the saves, not the bus, paced the broadcasts (at 4,000 chats/s: ~1,100
 * broadcast a second, with every thread of the server partly idle). The audit checkpointer's
 * per-meeting records wait for the same lock.
 *
 * `merge(queued, next)` may update `queued` in place and return it: from the moment a value is
 * queued it belongs to the coalescer (callers pass a fresh value each time).
 */
export function coalescedSaves<T>(
  save: (value: T) => Promise<void>,
  merge: (queued: T, next: T) => T,
  /** Two saves start at least this far apart; what is asked for meanwhile waits in the next one. */
  { minIntervalMs = 0 }: { minIntervalMs?: number } = {},
): (value: T) => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: { value: T; done: Promise<void> } | undefined;
  let lastStartedAt = Number.NEGATIVE_INFINITY;
  const untilNextSlot = () => lastStartedAt + minIntervalMs - performance.now();

  function start(value: T): Promise<void> {
    lastStartedAt = performance.now();
    const current = save(value).finally(() => {
      if (running === current) running = undefined;
    });
    running = current;
    return current;
  }

  return (value) => {
    if (queued) {
      queued.value = merge(queued.value, value);
      return queued.done;
    }
    if (!running && untilNextSlot() <= 0) return start(value);
    const next: { value: T; done: Promise<void> } = { value, done: Promise.resolve() };
    next.done = (running ?? Promise.resolve())
      .catch(() => undefined) // its own callers hear of its failure; the next save is a new attempt
      .then(() => {
        const wait = untilNextSlot();
        return wait > 0 ? new Promise<void>((resolve) => setTimeout(resolve, wait)) : undefined;
      })
      .then(() => {
        queued = undefined;
        return start(next.value);
      });
    queued = next;
    return next.done;
  };
}
