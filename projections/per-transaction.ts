import type { ProjectionWriter } from '../domain/ports/projection-store';

/**
 * A value that lives as long as one store transaction (one batch of a runner): made at its first
 * use in the transaction and dropped with it. What a projection carries from event to event and
 * writes once in `finish` is kept this way, so a batch rolled back takes it along and the next one
 * starts from the store.
 */
export function perTransaction<T>(make: () => T): (tx: ProjectionWriter) => T {
  const values = new WeakMap<ProjectionWriter, T>();
  return (tx) => {
    let value = values.get(tx);
    if (value === undefined) values.set(tx, (value = make()));
    return value;
  };
}
