/**
 * Port for the key-value store behind the embedding cache and the answer cache
 * (bounded in-process LRU embedded, Redis in server mode).
 *
 * Contract: `mget` returns values in key order, null for a miss; `mset` stores every entry with the
 * optional TTL (none: the entry stays until evicted).
 */
export interface KeyValue {
  mget(keys: string[]): Promise<(string | null)[]>;
  mset(entries: Array<[key: string, value: string]>, options?: { ttlSeconds?: number }): Promise<void>;
}
