/**
 * Embedding cache lookups in embedded mode: the SQL cache on SQLite alone, the tiered cache (memory LRU
 * in front) cold and warm, and the memory LRU alone, for batches of `batch` keys (like one ingest
 * batch's cache look-up), plus a miss batch, a batch write and one sweep. Prints numbers; asserts nothing.
 *
 *   npx tsx bench/embedding-cache-lookup.ts [entries=20000] [batch=128] [dimension=512]
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { MemoryKeyValue } from "../src/adapters/key-value/memory/memory-key-value.js";
import { createSqlKeyValue } from "../src/adapters/key-value/sql/sql-key-value.js";
import { openSqliteDatabase } from "../src/adapters/sql/open-database.js";
import { embeddingCacheKey } from "../src/use-cases/embedding-cache.js";
import type { KeyValue } from "../src/ports/key-value.js";
import { createTieredKeyValue } from "../src/wrappers/tiered-key-value.js";

const entryCount = Number(process.argv[2] ?? 20_000);
const batchSize = Number(process.argv[3] ?? 128);
const dimension = Number(process.argv[4] ?? 512);
const rounds = 50;

const value = Buffer.from(new Float32Array(Array.from({ length: dimension }, (_, index) => Math.sin(index))).buffer).toString("base64");
const keys = Array.from({ length: entryCount }, (_, index) => embeddingCacheKey("bench-model", dimension, `text ${index}`));
const batches = Array.from({ length: rounds }, (_, round) => keys.slice((round * batchSize) % (entryCount - batchSize)).slice(0, batchSize));

async function timePerBatch(label: string, keyValue: KeyValue, lookups: string[][]): Promise<void> {
  const started = performance.now();
  let hits = 0;
  for (const batch of lookups) hits += (await keyValue.mget(batch)).filter((found) => found !== null).length;
  const milliseconds = (performance.now() - started) / lookups.length;
  const perKey = (milliseconds * 1000) / batchSize;
  console.log(
    `${label.padEnd(34)} ${milliseconds.toFixed(3).padStart(8)} ms/batch  ${perKey.toFixed(1).padStart(7)} µs/key  hits ${hits}/${lookups.length * batchSize}`,
  );
}

const directory = await mkdtemp(path.join(os.tmpdir(), "ragline-bench-cache-"));
try {
  const state = await openSqliteDatabase({ path: path.join(directory, "ragline.sqlite"), synchronous: "full" });
  const sql = createSqlKeyValue({ db: state.db, maxEntries: entryCount * 2 });
  const fillStarted = performance.now();
  for (let start = 0; start < entryCount; start += batchSize) {
    await sql.mset(
      keys.slice(start, start + batchSize).map((key) => [key, value]),
      { ttlSeconds: 30 * 24 * 3600 },
    );
  }
  const fillMilliseconds = performance.now() - fillStarted;
  console.log(`SQLite (synchronous=full), ${entryCount} entries of ${dimension} dimensions, batches of ${batchSize}, ${rounds} batches per line`);
  console.log(`${"mset (batch write, one commit)".padEnd(34)} ${((fillMilliseconds * batchSize) / entryCount).toFixed(3).padStart(8)} ms/batch`);

  await timePerBatch("sql: hits", sql, batches);
  await timePerBatch(
    "sql: misses",
    sql,
    batches.map((batch) => batch.map((key) => `${key}:absent`)),
  );
  const tiered = createTieredKeyValue({ memory: new MemoryKeyValue({ maxEntries: 10_000 }), durable: sql });
  await timePerBatch("tiered: cold (sql, then fill)", tiered, batches);
  await timePerBatch("tiered: warm (memory hits)", tiered, batches);
  const memory = new MemoryKeyValue({ maxEntries: entryCount });
  await memory.mset(
    keys.map((key) => [key, value]),
    { ttlSeconds: 30 * 24 * 3600 },
  );
  await timePerBatch("memory LRU alone (with TTLs)", memory, batches);

  const sweepStarted = performance.now();
  await sql.sweep();
  console.log(`${"sweep (nothing to delete)".padEnd(34)} ${(performance.now() - sweepStarted).toFixed(3).padStart(8)} ms`);
  await sql.close();
  await state.close();
} finally {
  await rm(directory, { recursive: true, force: true });
}
