/**
 * A map whose entries lapse at times of their own, holding at most `maxEntries`: when full, it
 * starts again (what the callers remember is cheap to look up again, and a bound matters more
 * than which entries survive). A lapsed entry is dropped when it is next asked for.
 */
export class ExpiringMap<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(private readonly maxEntries: number) {}

  get(key: K, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > now) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  /** Remembers `value` until `until` (epoch ms; Infinity: for as long as the map holds it); nothing if that has passed. */
  set(key: K, value: V, until: number, now: number): void {
    if (until <= now) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, until });
  }

  clear(): void {
    this.entries.clear();
  }
}
