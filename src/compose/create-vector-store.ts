import { join } from "node:path";
import { QdrantClient } from "@qdrant/js-client-rest";
import type { Config } from "../config/schema.js";
import type { Logger } from "../observability/logger.js";
import { LanceDbVectorStore } from "../adapters/vector-store/lancedb/lancedb-vector-store.js";
import { QdrantVectorStore } from "../adapters/vector-store/qdrant/qdrant-vector-store.js";
import type { VectorStore } from "../ports/vector-store.js";
import { createCandidatesConcurrencyLimit } from "../wrappers/candidates-concurrency-limit.js";
import { createUpsertCoalescingStore } from "../wrappers/upsert-coalescing-store.js";

/** Upper bound of points coalesced into one LanceDB commit. */
const LANCEDB_MAX_POINTS_PER_COMMIT = 5_000;
/** LanceDB queries run at once in this process (the engine shares its CPUs). */
const LANCEDB_MAX_CONCURRENT_QUERIES = 4;

/**
 * The configured vector store (`store.provider`, resolved by the config schema): Qdrant at
 * `qdrant.url`, or embedded LanceDB in `server.dataDir`. Opening does not contact Qdrant, so a store that is down at start-up still
 * yields an adapter (the caller ensures the collection lazily). LanceDB commits a table version per
 * write and queries on this process's CPUs, so its upserts are coalesced and its queries capped;
 * Qdrant takes concurrent writes and queries as they come.
 */
export async function createVectorStore(config: Config, logger: Logger, options: { sharedWithOtherProcesses: boolean }): Promise<VectorStore> {
  if (config.store.provider === "qdrant") {
    const client = new QdrantClient({
      url: config.qdrant.url ?? undefined,
      apiKey: config.qdrant.apiKey ?? undefined,
      checkCompatibility: false,
      timeout: config.store.timeoutMs,
    });
    return new QdrantVectorStore(client, {
      collection: config.qdrant.collection,
      shardNumber: config.qdrant.shardNumber,
      replicationFactor: config.qdrant.replicationFactor,
      writeConsistencyFactor: config.qdrant.writeConsistencyFactor,
      shardingMethod: config.qdrant.shardingMethod,
      dedicatedShardTenants: config.qdrant.dedicatedShardTenants,
      upsertBatchSize: config.qdrant.upsertBatchSize,
      index: {
        hnswM: config.qdrant.hnswM,
        hnswPayloadM: config.qdrant.hnswPayloadM,
        hnswEfConstruct: config.qdrant.hnswEfConstruct,
        searchHnswEf: config.qdrant.searchHnswEf,
        quantization: config.qdrant.quantization,
        quantizationOversampling: config.qdrant.quantizationOversampling,
        vectorsOnDisk: config.qdrant.vectorsOnDisk,
        payloadOnDisk: config.qdrant.payloadOnDisk,
        bulkLoad: config.qdrant.bulkLoad,
        indexingThresholdKb: config.qdrant.indexingThresholdKb,
      },
      logger: logger.child({ component: "qdrant" }),
    });
  }
  const lancedb = await LanceDbVectorStore.open({
    directory: join(config.server.dataDir, "lancedb"),
    tableName: config.store.tableName,
    annIndexMinRows: config.store.annIndexMinRows,
    annRefineFactor: config.store.annRefineFactor,
    annMaxIndexParts: config.store.annMaxIndexParts,
    versionRetentionMs: config.store.versionRetentionSeconds * 1000,
    // Several processes (api + workers) write one table: read the latest committed version each time.
    readConsistencyIntervalMs: options.sharedWithOtherProcesses ? 0 : undefined,
    logger: logger.child({ component: "lancedb" }),
  });
  const coalesced = createUpsertCoalescingStore(lancedb, { maxPointsPerCall: LANCEDB_MAX_POINTS_PER_COMMIT });
  return createCandidatesConcurrencyLimit(coalesced, { maxConcurrent: LANCEDB_MAX_CONCURRENT_QUERIES });
}
