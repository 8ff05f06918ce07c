import { useEffect, useRef, useState } from 'preact/hooks';

type Listener = () => void;

/** A tiny observable value: one state object, replaced (never mutated) on every change. */
export class Store<T> {
  private listeners = new Set<Listener>();

  constructor(private value: T) {}

  get(): T {
    return this.value;
  }

  update(change: (current: T) => T): void {
    const next = change(this.value);
    if (next === this.value) return;
    this.value = next;
    for (const listener of [...this.listeners]) listener();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * Re-renders the calling component when the selected slice of the store changes (compared by
 * identity: the store replaces what changed and keeps the rest).
 */
export function useStore<T, S>(store: Store<T>, select: (state: T) => S): S {
  const [, force] = useState(0);
  // The latest selector (it may close over props) is read on every change.
  const selectRef = useRef(select);
  selectRef.current = select;
  const selected = select(store.get());
  const lastRef = useRef(selected);
  lastRef.current = selected;
  useEffect(
    () =>
      store.subscribe(() => {
        const next = selectRef.current(store.get());
        if (next !== lastRef.current) {
          lastRef.current = next;
          force((n) => n + 1);
        }
      }),
    [store],
  );
  return selected;
}
