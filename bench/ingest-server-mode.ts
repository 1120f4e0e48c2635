/**
 * Server-mode ingest benchmark: API + N worker processes (`npm run worker`) on PostgreSQL (records,
 * a fresh database per run) and Redis (embedding cache, BullMQ queue), embedded LanceDB. Ingests the SQuAD v1.1 dev paragraphs twice —
 * the second run uploads the same texts as new documents — and prints chunks/s of each run, the
 * embedding-cache hit rate and embedder calls of the second run, and its speed-up.
 * Usage: npm run bench:ingest:server [-- --workers 1,2 --limit 2067]
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { startService, type ServiceProcess } from "../test/helpers/service-process.js";
import { deleteKeysWithPrefix } from "../test/helpers/redis-keys.js";
import { createTestPostgresDatabase } from "../test/helpers/test-database.js";
import { ingestParagraphs, metricValue } from "./lib/bench-service.js";
import { loadSquadParagraphs } from "./lib/squad.js";

const { values } = parseArgs({ options: { workers: { type: "string", default: "1,2" }, limit: { type: "string" } } });
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const paragraphs = await loadSquadParagraphs();
const corpus = values.limit ? paragraphs.slice(0, Number(values.limit)) : paragraphs;

for (const workerCount of values.workers!.split(",").map(Number)) {
  const keyPrefix = `ragline-bench:${randomBytes(4).toString("hex")}:`;
  const dataDir = await mkdtemp(join(tmpdir(), "ragline-bench-server-"));
  const database = await createTestPostgresDatabase();
  const environment = { DATA_DIR: dataDir, REDIS_URL: redisUrl, DATABASE_URL: database.url, RAGLINE_REDIS_KEY_PREFIX: keyPrefix, LOG_LEVEL: "warn" };
  const processes: ServiceProcess[] = [];
  try {
    const api = await startService({ ...environment, RAGLINE_WORKERS_IN_PROCESS: "false" });
    processes.push(api);
    for (let index = 0; index < workerCount; index += 1) processes.push(await startService(environment, { entry: "src/worker.ts" }));
    const workerUrls = processes.slice(1).map((service) => service.url);

    const first = await ingestParagraphs(api.url, corpus, 16, { workerUrls, idPrefix: "first-" });
    const calls = async () => metricValue(workerUrls, "ragline_embedder_calls_total", `model="local-hash-v1-d512"`);
    const hits = async () => metricValue(workerUrls, "ragline_embedding_cache_total", 'result="hit"');
    const misses = async () => metricValue(workerUrls, "ragline_embedding_cache_total", 'result="miss"');
    const before = { calls: await calls(), hits: await hits(), misses: await misses() };
    const second = await ingestParagraphs(api.url, corpus, 16, { workerUrls, idPrefix: "second-" });
    const secondHits = (await hits()) - before.hits;
    const secondMisses = (await misses()) - before.misses;
    const secondCalls = (await calls()) - before.calls;

    console.log(`workers: ${workerCount} (PostgreSQL records, Redis cache, BullMQ, LanceDB), ${first.accepted} documents per run`);
    console.log(
      `  first run:  ${(first.chunks / (first.totalMs / 1000)).toFixed(1)} chunks/s (${first.chunks} chunks in ${(first.totalMs / 1000).toFixed(2)} s)`,
    );
    console.log(
      `  second run: ${(second.chunks / (second.totalMs / 1000)).toFixed(1)} chunks/s, cache hit rate ${((100 * secondHits) / Math.max(1, secondHits + secondMisses)).toFixed(1)}%, embedder calls ${secondCalls}, speed-up ${(first.totalMs / second.totalMs).toFixed(2)}x`,
    );
  } finally {
    await Promise.all(processes.map((service) => service.stop()));
    const redis = new Redis(redisUrl);
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
