import { join } from "node:path";
import { QdrantClient } from "@qdrant/js-client-rest";
import type { Config } from "../config/schema.js";
import type { Logger } from "../observability/logger.js";
import { LanceDbVectorStore } from "../adapters/vector-store/lancedb/lancedb-vector-store.js";
import { QdrantVectorStore } from "../adapters/vector-store/qdrant/qdrant-vector-store.js";
import type { VectorStore } from "../ports/vector-store.js";

/**
 * The configured vector store (`store.provider`, resolved by the config schema): Qdrant at
 * `qdrant.url`, or embedded LanceDB in `server.dataDir`. Opening does not contact Qdrant, so a store that is down at start-up still
 * yields an adapter (the caller ensures the collection lazily).
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
      logger: logger.child({ component: "qdrant" }),
    });
  }
  return LanceDbVectorStore.open({
    directory: join(config.server.dataDir, "lancedb"),
    tableName: config.store.tableName,
    annIndexMinRows: config.store.annIndexMinRows,
    // Several processes (api + workers) write one table: read the latest committed version each time.
    readConsistencyIntervalMs: options.sharedWithOtherProcesses ? 0 : undefined,
    // The in-process mirror would miss other processes' writes, so shared tables search LanceDB only.
    memoryMirrorMaxRows: options.sharedWithOtherProcesses ? 0 : config.store.memoryMirrorMaxRows,
    logger: logger.child({ component: "lancedb" }),
  });
}
