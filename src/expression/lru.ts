/**
 * A bounded cache with second-chance eviction: a hit only sets a flag (no Map mutation on the hot path), and
 * eviction sends recently used entries to the back once before dropping the oldest unused one.
 */
export class LruCache<V> {
  private readonly entries = new Map<string, { value: V; used: boolean }>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    entry.used = true;
    return entry.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    while (this.entries.size >= this.capacity) this.evictOne();
    this.entries.set(key, { value, used: false });
  }

  private evictOne(): void {
    for (const [key, entry] of this.entries) {
      this.entries.delete(key);
      if (!entry.used) return;
      entry.used = false;
      this.entries.set(key, entry);
    }
  }
}
