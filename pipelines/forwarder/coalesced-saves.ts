/**
 * Checkpoint saves that never queue behind one another: while one save runs, every position asked
 * for meanwhile is saved by ONE next save (of the highest of them), and each caller's promise
 * settles with the save that covers its position: it resolves once its position (or a later one)
 * is stored, and rejects if that save failed, so a caller still learns of every failure.
 *
 * Why: the forwarder saved after every batch, one save at a time. On the embedded store the save
 * is a transaction that waits for the SQLite write lock the read models' thread holds for its own
 * batches, so under load the saves, not the bus, paced the broadcasts (at 4,000 chats/s: ~1,100
 * broadcast a second, with every thread of the server partly idle).
 */
export function coalescedSaves(
  save: (position: number) => Promise<void>,
): (position: number) => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: { position: number; done: Promise<void> } | undefined;

  function start(position: number): Promise<void> {
    const current = save(position).finally(() => {
      if (running === current) running = undefined;
    });
    running = current;
    return current;
  }

  return (position) => {
    if (queued) {
      queued.position = Math.max(queued.position, position);
      return queued.done;
    }
    if (!running) return start(position);
    const next: { position: number; done: Promise<void> } = { position, done: Promise.resolve() };
    next.done = running
      .catch(() => undefined) // its own callers hear of its failure; the next save is a new attempt
      .then(() => {
        queued = undefined;
        return start(next.position);
      });
    queued = next;
    return next.done;
  };
}
