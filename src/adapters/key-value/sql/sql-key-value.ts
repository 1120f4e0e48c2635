import type { Kysely } from "kysely";
import type { KeyValue } from "../../../ports/key-value.js";
import { silentLogger, type Logger } from "../../../ports/logger.js";
import type { SqlDatabase } from "../../sql/sql-schema.js";

/** Keys or rows per statement: far under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const KEYS_PER_QUERY = 2_000;
const ROWS_PER_INSERT = 1_000;

export interface SqlKeyValueOptions {
  db: Kysely<SqlDatabase>;
  /** Rows kept after a sweep (config `embedding.cacheMaxEntries`); the least recently used go first. */
  maxEntries: number;
  /** A sweep (expired rows deleted, table trimmed to `maxEntries`) starts after this many written entries. Default: a tenth of `maxEntries`, 1 to 1,000. */
  sweepEveryWrites?: number;
  /** Hits whose `used_at` is pending are written in one UPDATE once there are this many (and at every sweep). Default 500. */
  touchBatchSize?: number;
  /** A hit refreshes `used_at` only when it is older than this (LRU order is kept to this precision; a burst of hits on fresh rows writes nothing). Default 60,000. */
  touchAfterMs?: number;
  now?: () => Date;
  logger?: Logger;
}

/** A live entry and when it expires (null: never). */
export interface StoredEntry {
  value: string;
  expiresAt: Date | null;
}

/** The SQL cache's KeyValue, plus its upkeep. */
export interface SqlKeyValue extends KeyValue {
  /** `mget` with each live entry's expiry, so a tier in front can keep a copy no longer than the original. */
  mgetWithExpiry(keys: string[]): Promise<Array<StoredEntry | null>>;
  /** Writes pending `used_at` refreshes, deletes expired rows and trims to `maxEntries`; waits for a sweep already running. Throws what the database throws. */
  sweep(): Promise<void>;
  /** Waits for background upkeep and writes pending `used_at` refreshes; never throws (failures are logged). */
  close(): Promise<void>;
}

/**
 * `KeyValue` on the `embedding_cache` table through Kysely, the same statements on SQLite and
 * PostgreSQL. `mget` is one SELECT per 2,000 distinct keys and answers in key order, null for a miss
 * or an expired row; `mset` upserts (last value wins for a key repeated in one call) with
 * `expires_at` from the TTL. Upkeep stays off the callers' path: a hit only records its key (when its
 * `used_at` is older than `touchAfterMs`), and the
 * recorded keys' `used_at` is refreshed in one UPDATE per batch; every `sweepEveryWrites` written
 * entries a background sweep deletes expired rows and the least recently used beyond `maxEntries`
 * (so the table may exceed the bound by about that many entries between sweeps). Any string is a
 * valid key or value (U+0000 included). Background failures are logged, never thrown; `mget`/`mset`
 * reject with the database's error.
 */
export function createSqlKeyValue(options: SqlKeyValueOptions): SqlKeyValue {
  const { db } = options;
  const maxEntries = Math.max(1, Math.floor(options.maxEntries));
  const sweepEveryWrites = Math.max(1, options.sweepEveryWrites ?? Math.min(1_000, Math.ceil(maxEntries / 10)));
  const touchBatchSize = Math.max(1, options.touchBatchSize ?? 500);
  const touchAfterMs = Math.max(0, options.touchAfterMs ?? 60_000);
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? silentLogger;

  let touched = new Set<string>();
  let touchQueued = false;
  let writesSinceSweep = 0;
  let upkeep: Promise<void> = Promise.resolve();

  /** Runs `task` after the upkeep already queued, so upkeep statements never overlap. */
  const queueUpkeep = (task: () => Promise<void>): Promise<void> => {
    const run = upkeep.then(task);
    upkeep = run.catch(() => undefined);
    return run;
  };

  const inBackground = (operation: string, task: () => Promise<void>): void => {
    queueUpkeep(task).catch((error: unknown) => logger.warn({ operation, error: (error as Error).message }, "sql cache upkeep failed"));
  };

  const flushTouches = async (): Promise<void> => {
    if (touched.size === 0) return;
    const keys = [...touched];
    touched = new Set();
    const usedAt = now().toISOString();
    for (const chunk of chunks(keys, KEYS_PER_QUERY)) {
      await db.updateTable("embedding_cache").set({ used_at: usedAt }).where("key", "in", chunk).execute();
    }
  };

  const sweepOnce = async (): Promise<void> => {
    await flushTouches();
    await db.deleteFrom("embedding_cache").where("expires_at", "<=", now().toISOString()).execute();
    const { count } = await db
      .selectFrom("embedding_cache")
      .select((expression) => expression.fn.countAll<number | string | bigint>().as("count"))
      .executeTakeFirstOrThrow();
    const excess = Number(count) - maxEntries;
    if (excess <= 0) return;
    const leastRecentlyUsed = db.selectFrom("embedding_cache").select("key").orderBy("used_at").limit(excess);
    await db.deleteFrom("embedding_cache").where("key", "in", leastRecentlyUsed).execute();
  };

  const mgetWithExpiry = async (keys: string[]): Promise<Array<StoredEntry | null>> => {
    if (keys.length === 0) return [];
    const found = new Map<string, StoredEntry>();
    const at = now();
    const nowIso = at.toISOString();
    const staleUseIso = new Date(at.getTime() - touchAfterMs).toISOString();
    for (const chunk of chunks([...new Set(keys.map(toColumn))], KEYS_PER_QUERY)) {
      const rows = await db.selectFrom("embedding_cache").select(["key", "value", "expires_at", "used_at"]).where("key", "in", chunk).execute();
      for (const row of rows) {
        if (row.expires_at !== null && row.expires_at <= nowIso) continue;
        if (row.used_at <= staleUseIso) touched.add(row.key);
        found.set(fromColumn(row.key), { value: fromColumn(row.value), expiresAt: row.expires_at === null ? null : new Date(row.expires_at) });
      }
    }
    if (touched.size >= touchBatchSize && !touchQueued) {
      touchQueued = true;
      inBackground("touch", async () => {
        touchQueued = false;
        await flushTouches();
      });
    }
    return keys.map((key) => found.get(key) ?? null);
  };

  return {
    async mget(keys) {
      return (await mgetWithExpiry(keys)).map((entry) => entry?.value ?? null);
    },

    mgetWithExpiry,

    async mset(entries, msetOptions = {}) {
      if (entries.length === 0) return;
      const at = now();
      const ttlSeconds = msetOptions.ttlSeconds;
      const expiresAt =
        ttlSeconds !== undefined && Number.isFinite(ttlSeconds) && ttlSeconds > 0 ? new Date(at.getTime() + ttlSeconds * 1000).toISOString() : null;
      // One row per key: PostgreSQL refuses an upsert that touches the same row twice.
      const rows = [...new Map(entries).entries()].map(([key, value]) => ({
        key: toColumn(key),
        value: toColumn(value),
        expires_at: expiresAt,
        used_at: at.toISOString(),
      }));
      const upsert = async (writer: Kysely<SqlDatabase>) => {
        for (const chunk of chunks(rows, ROWS_PER_INSERT)) {
          await writer
            .insertInto("embedding_cache")
            .values(chunk)
            .onConflict((conflict) =>
              conflict.column("key").doUpdateSet((expression) => ({
                value: expression.ref("excluded.value"),
                expires_at: expression.ref("excluded.expires_at"),
                used_at: expression.ref("excluded.used_at"),
              })),
            )
            .execute();
        }
      };
      if (rows.length > ROWS_PER_INSERT) await db.transaction().execute(upsert);
      else await upsert(db);
      writesSinceSweep += rows.length;
      if (writesSinceSweep >= sweepEveryWrites) {
        writesSinceSweep = 0;
        inBackground("sweep", sweepOnce);
      }
    },

    sweep: () => queueUpkeep(sweepOnce),

    async close() {
      inBackground("touch", flushTouches);
      await upkeep;
    },
  };
}

/** PostgreSQL text cannot hold U+0000: such strings (and any starting with the marker) are stored as marker + JSON. */
const ESCAPED = "\u0001";

function toColumn(text: string): string {
  return text.includes("\u0000") || text.startsWith(ESCAPED) ? ESCAPED + JSON.stringify(text) : text;
}

function fromColumn(stored: string): string {
  return stored.startsWith(ESCAPED) ? (JSON.parse(stored.slice(ESCAPED.length)) as string) : stored;
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
