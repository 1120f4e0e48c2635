import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { EmbeddingCache } from "./cache/embedding-cache.js";
import { MemoryKeyValue } from "./cache/memory-key-value.js";
import type { RetrievalSettingsProvider } from "./config/reloadable-settings.js";
import type { Config } from "./config/schema.js";
import { FileBlobStore } from "./documents/file-blob-store.js";
import { FileDocumentRepository } from "./documents/file-document-repository.js";
import type { AppDeps } from "./http/create-app.js";
import { ingestDocument } from "./ingest/ingest-document.js";
import type { IngestJobData } from "./ingest/ingest-job.js";
import { KeyedLock } from "./ingest/keyed-lock.js";
import { createTokenCounter } from "./ingest/token-counter.js";
import type { Logger } from "./observability/logger.js";
import { Metrics } from "./observability/metrics.js";
import type { Embedder } from "./providers/embedder.js";
import { LocalHashEmbedder } from "./providers/local-hash-embedder.js";
import { InProcessJobQueue } from "./queue/in-process-job-queue.js";
import { LanceDbVectorStore } from "./stores/lancedb-vector-store.js";

export interface Runtime {
  deps: AppDeps;
  queue: InProcessJobQueue<IngestJobData>;
  /** Starts the ingest workers (jobs interrupted by a crash run again). */
  startWorkers(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the embedded runtime: LanceDB, file-backed records, blobs and job queue in
 * `server.dataDir`, in-process LRU embedding cache, local embedder. `embedder` may be replaced
 * (tests count its calls).
 */
export async function composeEmbedded(options: {
  config: Config;
  retrievalSettings: RetrievalSettingsProvider;
  logger: Logger;
  embedder?: Embedder;
  metrics?: Metrics;
}): Promise<Runtime> {
  const { config, logger } = options;
  const dataDir = resolve(config.server.dataDir);
  await mkdir(dataDir, { recursive: true });
  const metrics = options.metrics ?? new Metrics();
  const embedder = options.embedder ?? new LocalHashEmbedder({ dimension: config.embedding.dimension });

  const store = await LanceDbVectorStore.open({
    directory: join(dataDir, "lancedb"),
    tableName: config.store.tableName,
    annIndexMinRows: config.store.annIndexMinRows,
    logger: logger.child({ component: "lancedb" }),
  });
  await store.ensureCollection({ dimension: embedder.dimension, model: embedder.modelId });

  const embeddings = new EmbeddingCache({
    embedder,
    keyValue: new MemoryKeyValue({ maxEntries: config.embedding.cacheMaxEntries }),
    ttlSeconds: config.embedding.cacheTtlSeconds,
    batchSize: config.embedding.batchSize,
    logger,
    metrics: {
      onLookup: (hits, misses) => {
        metrics.embeddingCache.inc({ result: "hit" }, hits);
        metrics.embeddingCache.inc({ result: "miss" }, misses);
      },
      onEmbedderCall: (model, texts) => {
        metrics.embedderCalls.inc({ model });
        metrics.embeddedTexts.inc({ model }, texts);
      },
    },
  });
  const documents = new FileDocumentRepository({ directory: join(dataDir, "documents") });
  const blobs = new FileBlobStore({ directory: join(dataDir, "blobs") });
  const queue = new InProcessJobQueue<IngestJobData>({
    directory: join(dataDir, "jobs"),
    maxAttempts: config.ingest.maxAttempts,
    closeGraceMs: config.server.shutdownGraceMs,
    logger: logger.child({ component: "queue" }),
  });
  const tokens = createTokenCounter();

  const deps: AppDeps = {
    config,
    retrievalSettings: options.retrievalSettings,
    documents,
    blobs,
    queue,
    store,
    embeddings,
    locks: new KeyedLock(),
    logger,
    metrics,
  };

  return {
    deps,
    queue,
    async startWorkers() {
      await queue.start(
        async (job, context) => {
          try {
            await ingestDocument(
              { documents, blobs, store, embeddings, tokens, chunking: () => config.chunking, onIndexed: (count) => metrics.chunksIndexed.inc(count) },
              job,
              context,
            );
            metrics.ingestJobs.inc({ outcome: "completed" });
          } catch (error) {
            metrics.ingestJobs.inc({ outcome: "failed" });
            logger.warn({ jobId: job.id, attempt: job.attempts, error: (error as Error).message }, "ingest attempt failed");
            throw error;
          }
        },
        { concurrency: config.ingest.concurrency },
      );
    },
    async close() {
      await queue.close();
      await store.close();
    },
  };
}
