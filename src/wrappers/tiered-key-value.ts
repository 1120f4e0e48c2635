import type { KeyValue } from "../ports/key-value.js";
import { silentLogger, type Logger } from "../ports/logger.js";

/** A KeyValue that can say when each entry it returns expires (null: never), e.g. the SQL cache. */
export interface ExpiringKeyValue extends KeyValue {
  mgetWithExpiry(keys: string[]): Promise<Array<{ value: string; expiresAt: Date | null } | null>>;
}

export interface TieredKeyValueOptions {
  /** Small and fast, e.g. a bounded in-process LRU; its failures propagate. */
  memory: KeyValue;
  /** Large and durable, e.g. the SQL cache; its failures are misses and dropped writes. */
  durable: ExpiringKeyValue;
  logger?: Logger;
  now?: () => number;
}

/**
 * A two-tier KeyValue: `mget` asks memory first, then the durable tier once for the distinct keys
 * memory missed, and copies what it found into memory until the original's expiry (so the tiers
 * agree on TTLs); `mset` writes memory, then the durable tier. A failing durable tier never fails a
 * call: its look-ups count as misses and its writes are dropped, each with a warning (as the Redis
 * cache behaves in server mode).
 */
export function createTieredKeyValue(options: TieredKeyValueOptions): KeyValue {
  const { memory, durable } = options;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;

  /** Copies durable hits into memory, one `mset` per distinct expiry. */
  const fill = async (found: Map<string, { value: string; expiresAt: Date | null }>): Promise<void> => {
    const byExpiry = new Map<number | null, Array<[string, string]>>();
    for (const [key, { value, expiresAt }] of found) {
      const expiry = expiresAt?.getTime() ?? null;
      byExpiry.set(expiry, [...(byExpiry.get(expiry) ?? []), [key, value]]);
    }
    const at = now();
    for (const [expiry, entries] of byExpiry) {
      // At least a millisecond: a zero TTL would mean "no expiry" to the memory tier.
      await memory.mset(entries, expiry === null ? {} : { ttlSeconds: Math.max(expiry - at, 1) / 1000 });
    }
  };

  return {
    async mget(keys) {
      const values = await memory.mget(keys);
      const missing = [...new Set(keys.filter((_, index) => values[index] === null))];
      if (missing.length === 0) return values;
      let fromDurable: Awaited<ReturnType<ExpiringKeyValue["mgetWithExpiry"]>>;
      try {
        fromDurable = await durable.mgetWithExpiry(missing);
      } catch (error) {
        logger.warn({ operation: "mget", keys: missing.length, error: (error as Error).message }, "durable cache read failed; treated as misses");
        return values;
      }
      const found = new Map<string, { value: string; expiresAt: Date | null }>();
      missing.forEach((key, index) => {
        const entry = fromDurable[index];
        if (entry) found.set(key, entry);
      });
      if (found.size > 0) await fill(found);
      return keys.map((key, index) => values[index] ?? found.get(key)?.value ?? null);
    },

    async mset(entries, msetOptions) {
      await memory.mset(entries, msetOptions);
      try {
        await durable.mset(entries, msetOptions);
      } catch (error) {
        logger.warn({ operation: "mset", keys: entries.length, error: (error as Error).message }, "durable cache write failed; kept in memory only");
      }
    },
  };
}
