import { LRUCache } from "lru-cache";
import type { KeyValue } from "../../../ports/key-value.js";

/** Bounded in-process KeyValue (embedded mode): least recently used entries go first. */
export class MemoryKeyValue implements KeyValue {
  private readonly cache: LRUCache<string, string>;

  constructor(options: { maxEntries: number }) {
    this.cache = new LRUCache<string, string>({ max: Math.max(1, options.maxEntries), ttlAutopurge: false });
  }

  async mget(keys: string[]): Promise<(string | null)[]> {
    return keys.map((key) => this.cache.get(key) ?? null);
  }

  async mset(entries: Array<[key: string, value: string]>, options: { ttlSeconds?: number } = {}): Promise<void> {
    const ttl = options.ttlSeconds ? options.ttlSeconds * 1000 : undefined;
    for (const [key, value] of entries) this.cache.set(key, value, { ttl });
  }

  get size(): number {
    return this.cache.size;
  }
}
