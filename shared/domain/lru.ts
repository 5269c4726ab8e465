/** A Map in least-recently-used order, of at most `max` entries, each good until its `cachedUntil`. */
export class Lru<Entry extends { cachedUntil: number }> {
  private readonly entries = new Map<string, Entry>();
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }

  get(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.cachedUntil <= now) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.max) break;
      this.entries.delete(oldest);
    }
  }
}
