/**
 * A map for entries that come and go all the time (an append on its way, a meeting's commands
 * waiting their turn), kept in two arrays that are never swapped for new ones while it is in use.
 *
 * Why not a `Map`: V8 keeps a long-lived `Map`'s hash table in the old generation and replaces the
 * table whenever it grows, shrinks or fills with deleted entries, which a map whose entries are
 * added and removed hundreds of times a second does every few milliseconds. Each table it drops
 * still points at the values it held, and the young generation's collections take every pointer
 * from the old generation as alive until the next full collection: the values (and all they reach,
 * a command's promise, its events, its answer) are copied twice and promoted, however short their
 * lives were. The command handler's and the event store's four such maps were ~13 % of what the
 * event loop promoted under chat load (docs/capacity.md, twenty-third session). Here a removed
 * entry's slots are overwritten at once, and when the arrays must grow the old ones are emptied
 * before they are dropped.
 *
 * Open addressing with linear probing; removal shifts the entries behind back (no tombstones).
 */
export class SlotMap<K extends string | number, V> {
  private keys: (K | undefined)[];
  private vals: (V | undefined)[];
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 64) {
    let slots = 16;
    while (slots < initialCapacity * 2) slots *= 2;
    this.keys = new Array<K | undefined>(slots).fill(undefined);
    this.vals = new Array<V | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  get(key: K): V | undefined {
    const i = this.find(key);
    return i < 0 ? undefined : this.vals[i];
  }

  has(key: K): boolean {
    return this.find(key) >= 0;
  }

  set(key: K, value: V): this {
    // At most half full: probes stay short.
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    let i = slotOf(key) & this.mask;
    for (;;) {
      const k = this.keys[i];
      if (k === undefined) {
        this.keys[i] = key;
        this.vals[i] = value;
        this.count++;
        return this;
      }
      if (k === key) {
        this.vals[i] = value;
        return this;
      }
      i = (i + 1) & this.mask;
    }
  }

  delete(key: K): boolean {
    let hole = this.find(key);
    if (hole < 0) return false;
    this.keys[hole] = undefined;
    this.vals[hole] = undefined;
    this.count--;
    // Entries after the hole that probed past it move back into it, so lookups never stop early.
    for (let i = (hole + 1) & this.mask; ; i = (i + 1) & this.mask) {
      const k = this.keys[i];
      if (k === undefined) return true;
      const home = slotOf(k) & this.mask;
      // The entry may stay if its home lies cyclically in (hole, i].
      const stays = hole <= i ? hole < home && home <= i : hole < home || home <= i;
      if (stays) continue;
      this.keys[hole] = k;
      this.vals[hole] = this.vals[i];
      this.keys[i] = undefined;
      this.vals[i] = undefined;
      hole = i;
    }
  }

  /** The values, in no particular order (a snapshot: the map may change while it is read). */
  values(): V[] {
    const out: V[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== undefined) out.push(this.vals[i]!);
    return out;
  }

  clear(): void {
    this.keys.fill(undefined);
    this.vals.fill(undefined);
    this.count = 0;
  }

  private find(key: K): number {
    for (let i = slotOf(key) & this.mask; ; i = (i + 1) & this.mask) {
      const k = this.keys[i];
      if (k === undefined) return -1;
      if (k === key) return i;
    }
  }

  private grow(): void {
    const keys = this.keys;
    const values = this.vals;
    this.keys = new Array<K | undefined>(keys.length * 2).fill(undefined);
    this.vals = new Array<V | undefined>(keys.length * 2).fill(undefined);
    this.mask = this.keys.length - 1;
    this.count = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (k !== undefined) this.set(k, values[i]!);
    }
    // The dropped arrays may already be old: emptied, they keep nothing young alive.
    keys.fill(undefined);
    values.fill(undefined);
  }
}

/** FNV-1a over a text's UTF-16 units; a number is mixed by itself. Only the low bits are used. */
function slotOf(key: string | number): number {
  if (typeof key === 'number') return Math.imul(key | 0, 0x9e3779b1) ^ (key >>> 16);
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 15);
}
