/**
 * Hand-overs of each kind at most once every `lingerMs`: a call that comes sooner waits out the
 * rest. The bus keeps gathering a group's events while its handler waits, so under load the read
 * models get fewer, larger batches (each costs a copy to their thread, a SQLite transaction and a
 * checkpoint per projection, whatever its size), and an event after a quiet spell goes at once.
 */
export function handOverPace(lingerMs: number): (kind: string) => Promise<void> {
  const last = new Map<string, number>();
  return async (kind) => {
    const wait = (last.get(kind) ?? Number.NEGATIVE_INFINITY) + lingerMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    last.set(kind, performance.now());
  };
}
