import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Redis } from "ioredis";
import { sql } from "kysely";
import { EmbeddingCache } from "../use-cases/embedding-cache.js";
import type { KeyValue } from "../ports/key-value.js";
import { MemoryKeyValue } from "../adapters/key-value/memory/memory-key-value.js";
import { closeRedisClient, createRedisClient, waitForRedisReady } from "../adapters/redis/redis-client.js";
import { RedisKeyValue } from "../adapters/key-value/redis/redis-key-value.js";
import { createSqlKeyValue } from "../adapters/key-value/sql/sql-key-value.js";
import { createTieredKeyValue } from "../wrappers/tiered-key-value.js";
import type { RetrievalSettingsProvider } from "../config/reloadable-settings.js";
import type { Config } from "../config/schema.js";
import type { DocumentRepository } from "../ports/document-repository.js";
import { FileBlobStore } from "../adapters/blob-store/file/file-blob-store.js";
import { SqlBlobStore } from "../adapters/blob-store/sql/sql-blob-store.js";
import { TieredBlobStore } from "../adapters/blob-store/sql/tiered-blob-store.js";
import { SqlDocumentRepository } from "../adapters/document-repository/sql/sql-document-repository.js";
import { openStateDatabase } from "./open-state-database.js";
import type { SqlState } from "../adapters/sql/open-database.js";
import type { AppDeps } from "../http/create-app.js";
import { ingestBatch } from "../use-cases/ingest/ingest-batch.js";
import type { IngestJobData } from "../use-cases/ingest-job.js";
import { KeyedLock } from "../core/keyed-lock.js";
import { createTokenCounter } from "../core/text/token-counter.js";
import type { Logger } from "../observability/logger.js";
import { Metrics } from "../observability/metrics.js";
import { createModelLayer } from "./create-model-layer.js";
import { createRerankerSource } from "./create-reranker-source.js";
import { countingEmbedder, createIngestEmbedder } from "./create-embedders.js";
import type { Embedder } from "../ports/embedder.js";
import { LocalHashEmbedder } from "../adapters/embedder/local/local-hash-embedder.js";
import { createThreadPoolDocumentChunker } from "../adapters/document-chunker/thread-pool/thread-pool-document-chunker.js";
import { BullMqJobQueue } from "../adapters/job-queue/bullmq/bullmq-job-queue.js";
import { SqlJobQueue } from "../adapters/job-queue/sql/sql-job-queue.js";
import { failQuarantinedIngest } from "../use-cases/fail-quarantined-ingest.js";
import { withCrashingParserStandIn } from "./crashing-parser-stand-in.js";
import type { JobQueue } from "../ports/job-queue.js";
import type { DocumentChunker } from "../ports/document-chunker.js";
import { createCollectionEnsuringStore } from "../wrappers/collection-ensuring-store.js";
import { createVectorStore } from "./create-vector-store.js";
import { SqlApiKeyStore } from "../adapters/api-key-store/sql/sql-api-key-store.js";
import { FlexibleRateLimiter } from "../adapters/rate-limiter/flexible/flexible-rate-limiter.js";
import { SqlUsageLedger } from "../adapters/usage-ledger/sql/sql-usage-ledger.js";
import { spendTokens } from "../use-cases/token-budget.js";
import type { ModelCall } from "../ports/model-usage.js";
import { startServerModeBackground } from "./server-mode-background.js";
import { SqlReviewRepository } from "../adapters/review-repository/sql/sql-review-repository.js";
import { createAnswerExampleSource } from "../use-cases/reviews/answer-example-source.js";
import { noopTracer, type Tracer } from "../ports/tracer.js";
import { withTraceIds } from "../observability/trace-logger.js";
import { createTracedAnswerer } from "../wrappers/traced-answerer.js";
import { createTracedEmbedder } from "../wrappers/traced-embedder.js";
import { createTracedVectorStore } from "../wrappers/traced-vector-store.js";

export interface Runtime {
  deps: AppDeps;
  queue: JobQueue<IngestJobData>;
  /** Starts ingest workers in this process (jobs interrupted by a crash run again). */
  startWorkers(): Promise<void>;
  close(): Promise<void>;
}

const REDIS_READY_TIMEOUT_MS = 5_000;
/** Embedded mode: the in-memory tier in front of the SQLite embedding cache holds at most this many vectors. */
const EMBEDDING_MEMORY_TIER_MAX_ENTRIES = 10_000;

/**
 * Builds every adapter from config, one code path for both ways to run: LanceDB or Qdrant
 * (`store.provider`), embedded SQLite or server mode (`database.url` + `redis.url`: records and the
 * jobs outbox in PostgreSQL, caches and the BullMQ queue in Redis, the outbox relay and the
 * reconciler running in the background), local or OpenAI-compatible models. `embedder` may be replaced (tests count its calls).
 * `tracer` (src/observability/tracing.ts) traces requests, retrieval and ingest stages, store and
 * model calls, and puts the trace id in every log line written inside a span.
 * Throws ConflictError when the store holds a collection of another model or dimension.
 */
export async function composeRuntime(options: {
  config: Config;
  retrievalSettings: RetrievalSettingsProvider;
  logger: Logger;
  embedder?: Embedder;
  metrics?: Metrics;
  tracer?: Tracer;
}): Promise<Runtime> {
  const { config } = options;
  const tracer = options.tracer ?? noopTracer;
  const logger = withTraceIds(options.logger, tracer);
  const dataDir = resolve(config.server.dataDir);
  await mkdir(dataDir, { recursive: true });
  const metrics = options.metrics ?? new Metrics();
  const state = await openStateDatabase(config);
  const redis = config.redis.url ? await connectRedis(config.redis.url, logger) : null;

  const keyValue: KeyValue = redis
    ? new RedisKeyValue({ redis, keyPrefix: `${config.redis.keyPrefix}cache:`, timeoutMs: config.redis.cacheTimeoutMs, logger })
    : new MemoryKeyValue({ maxEntries: config.embedding.cacheMaxEntries });
  const rateLimiter = new FlexibleRateLimiter({ redis: redis ?? undefined, keyPrefix: config.redis.keyPrefix });
  const usageLedger = new SqlUsageLedger(state);
  // Every model call: taken from its tenant's token budget and written to the usage ledger (off the call's path).
  const onModelCall = (call: ModelCall, costUsd: number) => {
    const tokens = call.usage.inputTokens + call.usage.outputTokens;
    spendTokens(rateLimiter, config.limits, call.tenant, tokens).catch((error: unknown) =>
      logger.warn({ tenant: call.tenant, error: (error as Error).message }, "token budget not updated"),
    );
    usageLedger
      .record({ id: randomUUID(), call, costUsd, createdAt: new Date().toISOString() })
      .catch((error: unknown) => logger.warn({ tenant: call.tenant, error: (error as Error).message }, "usage ledger entry not written"));
  };
  const models = createModelLayer(config, { metrics, logger, keyValue, onModelCall, tracer });
  // A given embedder (tests) replaces the model layer's endpoint; without either, the local embedder.
  const endpoint = options.embedder ? null : models.embeddingEndpoint;
  // Traced where a call is one request to the model: ingest under its request packing, queries over the coalescing.
  const baseEmbedder = createTracedEmbedder(
    options.embedder ?? endpoint?.embedder ?? countingEmbedder(new LocalHashEmbedder({ dimension: config.embedding.dimension }), metrics),
    tracer,
  );
  const embedder = options.embedder || !models.embedder ? baseEmbedder : createTracedEmbedder(models.embedder, tracer);

  const rawStore = await createVectorStore({ ...config, server: { ...config.server, dataDir } }, logger, { sharedWithOtherProcesses: redis !== null });
  const ensuring = createCollectionEnsuringStore(rawStore, { dimension: embedder.dimension, model: embedder.modelId }, { logger });
  await ensuring.ensureAtStart();
  const ensuringStore = ensuring.store;
  // One span per store call: the query path's over its timeout and breaker (a timed-out search is one failed span).
  const store = createTracedVectorStore(models.wrapStore(ensuringStore), tracer);
  const ingestStore = createTracedVectorStore(ensuringStore, tracer);

  // Embedded mode: embeddings persist in the state database behind a memory LRU; answers stay in memory. Server mode: Redis for both.
  const sqlCache = redis ? null : createSqlKeyValue({ db: state.db, maxEntries: config.embedding.cacheMaxEntries, logger });
  const embeddingKeyValue: KeyValue = sqlCache
    ? createTieredKeyValue({
        memory: new MemoryKeyValue({ maxEntries: Math.min(config.embedding.cacheMaxEntries, EMBEDDING_MEMORY_TIER_MAX_ENTRIES) }),
        durable: sqlCache,
        logger,
      })
    : keyValue;
  const tokens = createTokenCounter();
  const cacheSettings = {
    keyValue: embeddingKeyValue,
    tokenBudget: { count: (text: string) => tokens.count(text), maxInputTokens: config.embedding.maxInputTokens },
    ttlSeconds: config.embedding.cacheTtlSeconds,
    shareAcrossTenants: config.embedding.cache.shareAcrossTenants,
    logger,
    metrics: {
      onLookup: (hits: number, misses: number) => {
        metrics.embeddingCache.inc({ result: "hit" }, hits);
        metrics.embeddingCache.inc({ result: "miss" }, misses);
      },
    },
  };
  const embeddings = new EmbeddingCache({ embedder, ...cacheSettings });
  // Ingest packs the chunks of many documents into each request, with the endpoint's slots.
  const ingestEmbedder = createIngestEmbedder(baseEmbedder, {
    concurrency: endpoint?.concurrency,
    maxConcurrentRequests: config.embedding.maxConcurrentRequests,
    countTokens: (text) => tokens.count(text),
  });
  const ingestEmbeddings = new EmbeddingCache({ embedder: ingestEmbedder, ...cacheSettings });
  const documents: DocumentRepository = new SqlDocumentRepository(state, { jobMaxAttempts: config.ingest.maxAttempts });
  // Synced like the database commits that refer to them (database.sqliteSynchronous; PostgreSQL syncs commits).
  // Small uploads in the state database (one transaction per bulk group; in server mode every worker reads them from PostgreSQL), larger ones files.
  const blobs = new TieredBlobStore({
    small: new SqlBlobStore(state),
    large: new FileBlobStore({ directory: join(dataDir, "blobs"), durable: config.database.url !== null || config.database.sqliteSynchronous === "full" }),
    inlineMaxBytes: config.ingest.inlineBlobMaxBytes,
  });
  // Parsing and chunking run on their own threads, with per-document time, heap and size limits; started
  // with the ingest workers, so an API-only process (server mode, workers.inProcess: false) has none.
  let chunker: DocumentChunker | null = null;
  const createChunker = (): DocumentChunker =>
    withCrashingParserStandIn(
      createThreadPoolDocumentChunker({
        threads: config.ingest.parseThreads,
        timeoutMs: config.ingest.parseTimeoutMs,
        maxHeapMb: config.ingest.parseMaxHeapMb,
        maxExtractedChars: config.ingest.maxExtractedChars,
        maxPages: config.ingest.maxPages,
        logger: logger.child({ component: "parse" }),
      }),
    );
  const queueLogger = logger.child({ component: "queue" });
  const queue: JobQueue<IngestJobData> = config.redis.url
    ? new BullMqJobQueue<IngestJobData>({
        connection: { url: config.redis.url },
        queueName: "ingest",
        prefix: config.redis.keyPrefix.replace(/:+$/, "") || "ragline",
        maxAttempts: config.ingest.maxAttempts,
        closeGraceMs: config.server.shutdownGraceMs,
        stalled: { lockDurationMs: config.ingest.lockDurationMs, stalledIntervalMs: config.ingest.stalledIntervalMs, maxCrashes: config.ingest.maxCrashes },
        logger: queueLogger,
      })
    : new SqlJobQueue<IngestJobData>({
        state,
        maxAttempts: config.ingest.maxAttempts,
        maxCrashes: config.ingest.maxCrashes,
        closeGraceMs: config.server.shutdownGraceMs,
        logger: queueLogger,
      });
  // Server mode (the config refuses redis.url without database.url): PostgreSQL outbox → BullMQ, and the reconciler.
  const background = redis ? startServerModeBackground({ config, state, documents, queue, logger }) : null;

  const apiKeys = new SqlApiKeyStore(state);
  // Auth is off only while no key exists at all: none in the config file and none ever created.
  const authRequired = config.auth.apiKeys.length > 0 || (await apiKeys.list({ limit: 1 })).keys.length > 0;
  const reviews = new SqlReviewRepository(state);
  // Examples are compared with questions embedded by the query embedder, through its cache (the query's own embedding is a hit).
  const examples = config.answer.examples;
  const answerExamples = examples.enabled
    ? createAnswerExampleSource({ reviews, embedder: embeddings, minSimilarity: examples.minSimilarity, max: examples.max, logger })
    : undefined;
  const deps: AppDeps = {
    config,
    apiKeys,
    authRequired,
    rateLimiter,
    usageLedger,
    reviews,
    answerExamples,
    retrievalSettings: options.retrievalSettings,
    documents: background?.documents ?? documents,
    blobs,
    queue,
    store,
    embeddings,
    locks: new KeyedLock(),
    logger,
    metrics,
    answerer: createTracedAnswerer(models.answerer, tracer),
    judge: models.judge,
    reranking: createRerankerSource({
      settings: () => options.retrievalSettings.current().reranker,
      openai: config.openai,
      models,
      keyValue,
      metrics,
      logger,
      tracer,
    }),
    readinessChecks: redis ? { redis: () => pingRedis(redis), database: () => pingDatabase(state) } : {},
    tracer,
  };

  return {
    deps,
    queue,
    async startWorkers() {
      chunker ??= createChunker();
      const ingestLogger = logger.child({ component: "ingest" });
      const ingestDeps = {
        documents,
        blobs,
        chunker,
        store: ingestStore,
        embeddings: ingestEmbeddings,
        chunking: () => config.chunking,
        maxBytesPerGroup: config.ingest.batchMaxBytes,
        onIndexed: (count: number) => metrics.chunksIndexed.inc(count),
        logger: ingestLogger,
        tracer,
      };
      await queue.startBatches(
        async (jobs, context) => {
          const outcomes = await ingestBatch(ingestDeps, jobs, context);
          // ingestBatch logged each document's outcome (document id, file, job, reason).
          for (const outcome of outcomes) metrics.ingestJobs.inc({ outcome: outcome.ok ? "completed" : "failed" });
          return outcomes;
        },
        {
          batchSize: config.ingest.batchSize,
          concurrency: config.ingest.concurrency,
          onQuarantined: async (job) => {
            metrics.ingestJobs.inc({ outcome: "failed" });
            await failQuarantinedIngest({ documents, logger: ingestLogger }, job);
          },
        },
      );
    },
    async close() {
      await background?.stop();
      await queue.close();
      await chunker?.close();
      await store.close();
      await sqlCache?.close();
      if (redis) await closeRedisClient(redis);
      await state.close();
    },
  };
}

async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  const client = createRedisClient(url, { logger, connectionName: "ragline" });
  try {
    await waitForRedisReady(client, REDIS_READY_TIMEOUT_MS);
  } catch (error) {
    await closeRedisClient(client);
    throw new Error(`Redis at ${new URL(url).host} is not reachable: ${(error as Error).message}`);
  }
  return client;
}

async function pingRedis(redis: Redis): Promise<{ status: "up" | "down"; detail?: string }> {
  return probe(() => redis.ping());
}

/** Server mode: PostgreSQL holds the records, so the API is not ready without it. */
async function pingDatabase(state: SqlState): Promise<{ status: "up" | "down"; detail?: string }> {
  return probe(() => sql`select 1`.execute(state.db));
}

async function probe(call: () => Promise<unknown>): Promise<{ status: "up" | "down"; detail?: string }> {
  try {
    await Promise.race([call(), new Promise((_, reject) => setTimeout(() => reject(new Error("ping timed out")), 1_000))]);
    return { status: "up" };
  } catch (error) {
    return { status: "down", detail: (error as Error).message };
  }
}
