/**
 * Port for the key-value store behind the embedding cache, the answer cache and rate limits
 * (bounded in-process LRU embedded, Redis in server mode).
 *
 * Contract: `mget` returns values in key order, null for a miss; `mset` stores every entry with the
 * optional TTL; `incr` increments and returns the counter, setting the TTL when it is created.
 */
export interface KeyValue {
  mget(keys: string[]): Promise<(string | null)[]>;
  mset(entries: Array<[key: string, value: string]>, options?: { ttlSeconds?: number }): Promise<void>;
  incr(key: string, options?: { ttlSeconds?: number }): Promise<number>;
}
