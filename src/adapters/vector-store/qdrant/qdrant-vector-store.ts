import type { QdrantClient } from "@qdrant/js-client-rest";
import { ConflictError } from "../../../core/errors.js";
import { assertValidCandidatesRequest, assertValidCollectionOptions, assertValidPoints } from "../../../core/vector-store-validation.js";
import { queryCandidates } from "./qdrant-candidates.js";
import { METADATA_KEY, ensureQdrantCollection, readCollection, shardKeyFor, type QdrantCollectionSettings } from "./qdrant-collection.js";
import { callQdrant } from "./qdrant-errors.js";
import { buildDocumentFilter, buildSearchFilter, tenantFilter } from "./qdrant-filter.js";
import { assertUuidIds, chunkPointToQdrant } from "./qdrant-points.js";
import { rebuildSparseVectors } from "./qdrant-sparse-rebuild.js";
import { DEFAULT_QDRANT_INDEX_SETTINGS, denseSearchParams } from "./qdrant-index-settings.js";
import { LEXICAL_TERMS_VERSION } from "../lexical-terms.js";
import type { CandidateLists, CandidatesRequest, ChunkPoint, StoreHealth, VectorStore } from "../../../ports/vector-store.js";
import { type Logger } from "../../../ports/logger.js";

export interface QdrantVectorStoreSettings extends QdrantCollectionSettings {
  /** Points per upsert request; larger calls are split into sequential batches. */
  upsertBatchSize: number;
  logger?: Logger;
}

/** The model and dimension of the collection once known (from ensureCollection or read back lazily). */
interface KnownCollection {
  model: string;
  dimension: number;
}

/**
 * VectorStore on Qdrant (server mode): one collection per embedding model, named dense vector `dense`
 * (cosine) plus BM25 sparse vector `bm25` (term frequencies of core's title + text terms computed here,
 * IDF by Qdrant), every chunk's payload as `{page_content, metadata, tenant}` with `tenant` indexed as
 * Qdrant's tenant key. Custom
 * sharding routes each tenant to its own shard key (dedicated tenants) or to `default`; moving a tenant
 * between shard keys needs its documents re-ingested. The client is owned by the composition root.
 */
export class QdrantVectorStore implements VectorStore {
  readonly kind = "qdrant";
  private readonly settings: QdrantVectorStoreSettings;
  private known: KnownCollection | null = null;
  private ensured = false;

  constructor(
    private readonly client: QdrantClient,
    settings: QdrantVectorStoreSettings,
  ) {
    if (!Number.isSafeInteger(settings.upsertBatchSize) || settings.upsertBatchSize < 1) {
      throw new RangeError("upsertBatchSize must be an integer >= 1");
    }
    this.settings = { ...settings, dedicatedShardTenants: [...settings.dedicatedShardTenants] };
  }

  async ensureCollection(options: { dimension: number; model: string }): Promise<void> {
    assertValidCollectionOptions(options);
    const { created, state } = await ensureQdrantCollection(this.client, this.settings, options);
    if (created)
      this.settings.logger?.info({ collection: this.settings.collection, model: options.model, dimension: options.dimension }, "Qdrant collection created");
    else if (state.lexicalTerms !== LEXICAL_TERMS_VERSION) {
      this.settings.logger?.warn(
        { collection: this.settings.collection, from: state.lexicalTerms ?? "unrecorded", to: LEXICAL_TERMS_VERSION },
        "Qdrant collection's sparse vectors use another lexical analysis; rebuilding them from the stored chunks",
      );
      await rebuildSparseVectors(this.client, {
        collection: this.settings.collection,
        metadata: state.metadata,
        metadataKey: METADATA_KEY,
        logger: this.settings.logger,
      });
    }
    this.known = { model: options.model, dimension: options.dimension };
    this.ensured = true;
  }

  async upsert(points: ChunkPoint[]): Promise<void> {
    if (points.length === 0) return;
    const collection = await this.knownCollection();
    if (!collection) throw new Error("QdrantVectorStore.upsert called before ensureCollection");
    assertValidPoints(points, collection);
    assertUuidIds(points);
    // Last write wins inside one call, as it would across calls.
    const unique = [...new Map(points.map((point) => [point.id, point])).values()];
    const byShard = new Map<string | undefined, ChunkPoint[]>();
    for (const point of unique) {
      const key = shardKeyFor(point.tenant, this.settings);
      const group = byShard.get(key);
      if (group) group.push(point);
      else byShard.set(key, [point]);
    }
    for (const [shardKey, shardPoints] of byShard) {
      for (let start = 0; start < shardPoints.length; start += this.settings.upsertBatchSize) {
        const batch = shardPoints.slice(start, start + this.settings.upsertBatchSize).map(chunkPointToQdrant);
        await callQdrant("upsert", () =>
          this.client.upsert(this.settings.collection, { wait: true, points: batch, ...(shardKey === undefined ? {} : { shard_key: shardKey }) }),
        );
      }
    }
  }

  async deleteDocument(tenant: string, documentId: string, options: { fromChunkIndex?: number } = {}): Promise<void> {
    const filter = buildDocumentFilter(tenant, documentId, options.fromChunkIndex);
    if (!(await this.knownCollection())) return;
    // No shard key: a delete also clears copies left under a tenant's previous shard key.
    await callQdrant("delete", () => this.client.delete(this.settings.collection, { wait: true, filter }));
  }

  /** Both candidate lists in one `points/query/batch` request (see qdrant-candidates.ts). */
  async candidates(request: CandidatesRequest): Promise<CandidateLists> {
    assertValidCandidatesRequest(request);
    const filter = buildSearchFilter(request.tenant, request.filter);
    const collection = await this.knownCollection();
    if (!collection || !filter) return { dense: [], lexical: [] };
    assertValidCandidatesRequest(request, collection.dimension);
    const params = denseSearchParams(this.settings.index ?? DEFAULT_QDRANT_INDEX_SETTINGS);
    return queryCandidates(this.client, this.settings.collection, request, filter, shardKeyFor(request.tenant, this.settings), params);
  }

  async count(tenant: string, documentId?: string): Promise<number> {
    const filter = documentId === undefined ? tenantFilter(tenant) : buildDocumentFilter(tenant, documentId);
    if (!(await this.knownCollection())) return 0;
    const shardKey = shardKeyFor(tenant, this.settings);
    const result = await callQdrant("count", () =>
      this.client.count(this.settings.collection, { filter, exact: true, ...(shardKey === undefined ? {} : { shard_key: shardKey }) }),
    );
    return result.count;
  }

  /** Up when Qdrant answers and the collection exists (or was never created by this process yet). */
  async health(): Promise<StoreHealth> {
    try {
      const { exists } = await callQdrant("health check", () => this.client.collectionExists(this.settings.collection));
      if (exists) return { status: "up" };
      return this.ensured
        ? { status: "down", detail: `collection "${this.settings.collection}" is missing` }
        : { status: "up", detail: "collection not created yet" };
    } catch (error) {
      return { status: "down", detail: error instanceof Error ? error.message : "Qdrant unreachable" };
    }
  }

  /** Nothing to release: the QdrantClient belongs to the composition root. */
  async close(): Promise<void> {}

  /** Model and dimension of the collection; read from Qdrant once when this instance did not create it; null when missing. */
  private async knownCollection(): Promise<KnownCollection | null> {
    if (this.known) return this.known;
    const state = await readCollection(this.client, this.settings.collection);
    if (!state) return null;
    const { model, dimension } = state.identity;
    if (model === null || dimension === null) {
      throw new ConflictError(`Qdrant collection "${this.settings.collection}" was not created by Ragline (no model in its metadata)`);
    }
    this.known = { model, dimension };
    return this.known;
  }
}
