/**
 * A bounded map that drops the entries least recently used first, nearly: every get or set marks
 * its entry, and when the map is full the entries are looked at oldest first (in
 * insertion order): a marked one loses its mark and goes to the back (a second chance), the first
 * unmarked one is dropped (the CLOCK algorithm, as page caches do). A hit costs one lookup and a
 * mark. An exact LRU moves the key on every hit, a delete and an insert in the Map, which the
 * command handler's cache did three or four times a chat.
 */
export class Lru<K, V> {
  private readonly entries = new Map<K, { value: V; used: boolean }>();
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    entry.used = true;
    return entry.value;
  }

  set(key: K, value: V): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      entry.value = value;
      entry.used = true;
      return;
    }
    if (this.capacity <= 0) return;
    // Room is made first, so that the newcomer is never the one dropped.
    if (this.entries.size >= this.capacity) this.dropOne();
    this.entries.set(key, { value, used: false });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Ends within one pass: every entry it passes over loses its mark. */
  private dropOne(): void {
    for (const [key, entry] of this.entries) {
      this.entries.delete(key);
      if (!entry.used) return;
      entry.used = false;
      this.entries.set(key, entry);
    }
  }
}
