import type { QdrantClient, Schemas } from "@qdrant/js-client-rest";
import { ConflictError } from "../../../core/errors.js";
import { callQdrant, qdrantStatus, toQdrantError } from "./qdrant-errors.js";
import { PAYLOAD_KEYS } from "./qdrant-filter.js";
import { LEXICAL_TERMS_VERSION } from "../lexical-terms.js";
import type { Logger } from "../../../ports/logger.js";
import {
  DEFAULT_QDRANT_INDEX_SETTINGS,
  creationIndexParams,
  indexSettingsUpdate,
  reportedIndexSettings,
  type QdrantIndexSettings,
  type ReportedIndexSettings,
} from "./qdrant-index-settings.js";

/** Names of the collection's vectors: a named dense vector and a BM25 sparse vector. */
export const DENSE_VECTOR = "dense";
export const SPARSE_VECTOR = "bm25";
/** Shard key of every tenant without a dedicated shard (custom sharding). */
export const DEFAULT_SHARD_KEY = "default";
/** Key of this adapter's entry in the collection metadata. */
export const METADATA_KEY = "ragline";

export interface QdrantCollectionSettings {
  collection: string;
  shardNumber: number;
  replicationFactor: number;
  writeConsistencyFactor: number;
  shardingMethod: "auto" | "custom";
  dedicatedShardTenants: string[];
  /** HNSW, quantisation, on-disk storage, bulk load; defaults when absent. */
  index?: QdrantIndexSettings;
  logger?: Logger;
}

/** The embedding model and dimension a collection was built with (model null: not made by Ragline). */
export interface CollectionIdentity {
  model: string | null;
  dimension: number | null;
}

export interface CollectionState {
  identity: CollectionIdentity;
  /** This adapter's metadata entry as stored (empty when none). */
  metadata: Record<string, unknown>;
  /** The lexical analysis the sparse vectors were built with (null: before versions were recorded). */
  lexicalTerms: string | null;
  shardingMethod: "auto" | "custom";
  indexedFields: Set<string>;
  indexSettings: ReportedIndexSettings;
}

/** Payload indexes every collection gets: tenant (Qdrant's multitenancy layout) and the filtered metadata keys. */
const PAYLOAD_INDEXES: Array<{ field: string; schema: Schemas["PayloadFieldSchema"] }> = [
  { field: PAYLOAD_KEYS.tenant, schema: { type: "keyword", is_tenant: true } },
  { field: PAYLOAD_KEYS.documentId, schema: { type: "keyword" } },
  { field: PAYLOAD_KEYS.source, schema: { type: "keyword" } },
];

/** Reads what ensureCollection needs from the collection info; null when the collection does not exist. */
export async function readCollection(client: QdrantClient, name: string): Promise<CollectionState | null> {
  let info: Schemas["CollectionInfo"];
  try {
    info = await client.getCollection(name);
  } catch (error) {
    if (qdrantStatus(error) === 404) return null;
    throw toQdrantError("get collection", error);
  }
  const stored = (info.config.metadata as Record<string, unknown> | null | undefined)?.[METADATA_KEY] as
    { embeddingModel?: unknown; dimension?: unknown; lexicalTerms?: unknown } | undefined;
  const vectors = info.config.params.vectors as Record<string, { size?: unknown } | undefined> | undefined;
  const denseSize = vectors?.[DENSE_VECTOR]?.size;
  return {
    identity: {
      model: typeof stored?.embeddingModel === "string" ? stored.embeddingModel : null,
      dimension: typeof stored?.dimension === "number" ? stored.dimension : typeof denseSize === "number" ? denseSize : null,
    },
    metadata: stored && typeof stored === "object" ? { ...stored } : {},
    lexicalTerms: typeof stored?.lexicalTerms === "string" ? stored.lexicalTerms : null,
    shardingMethod: info.config.params.sharding_method === "custom" ? "custom" : "auto",
    indexedFields: new Set(Object.keys(info.payload_schema ?? {})),
    indexSettings: reportedIndexSettings(info.config, DENSE_VECTOR),
  };
}

/**
 * Creates the collection when missing — dense vector `dense` (cosine), sparse `bm25` with Qdrant's IDF
 * modifier, the configured shards/replicas/write consistency, the model and dimension in the collection
 * metadata — then checks it: another model or dimension, or another sharding method, is a ConflictError.
 * Missing payload indexes and (custom sharding) shard keys are added, so it is safe on every start and
 * when two processes race to create the collection. Tells whether this call created it, and returns
 * the collection as read (its `lexicalTerms` tells whether the sparse vectors need a rebuild).
 */
export async function ensureQdrantCollection(
  client: QdrantClient,
  settings: QdrantCollectionSettings,
  requested: { model: string; dimension: number },
): Promise<{ created: boolean; state: CollectionState }> {
  const name = settings.collection;
  let created = false;
  const index = settings.index ?? DEFAULT_QDRANT_INDEX_SETTINGS;
  let state = await readCollection(client, name);
  if (!state) {
    try {
      await client.api().createCollection({
        collection_name: name,
        vectors: { [DENSE_VECTOR]: { size: requested.dimension, distance: "Cosine", on_disk: index.vectorsOnDisk } },
        ...creationIndexParams(index),
        sparse_vectors: { [SPARSE_VECTOR]: { modifier: "idf" } },
        shard_number: settings.shardNumber,
        replication_factor: settings.replicationFactor,
        write_consistency_factor: settings.writeConsistencyFactor,
        sharding_method: settings.shardingMethod,
        metadata: { [METADATA_KEY]: { embeddingModel: requested.model, dimension: requested.dimension, lexicalTerms: LEXICAL_TERMS_VERSION } },
      });
      created = true;
    } catch (error) {
      // Another process may have created it first: re-read and check it like any existing collection.
      const status = qdrantStatus(error);
      if (status !== 400 && status !== 409) throw toQdrantError("create collection", error);
    }
    state = await readCollection(client, name);
    if (!state) throw toQdrantError("create collection", new Error("collection missing after create"));
  }

  const existing = state.identity;
  if (existing.model !== requested.model || existing.dimension !== requested.dimension) {
    throw new ConflictError(
      `Qdrant collection "${name}" was built with model "${existing.model ?? "unknown"}" (dimension ${existing.dimension ?? "unknown"}); ` +
        `refusing model "${requested.model}" (dimension ${requested.dimension})`,
      { details: { existing, requested } },
    );
  }
  if (state.shardingMethod !== settings.shardingMethod) {
    throw new ConflictError(`Qdrant collection "${name}" uses ${state.shardingMethod} sharding but the configuration asks for ${settings.shardingMethod}`, {
      details: { existing: state.shardingMethod, requested: settings.shardingMethod },
    });
  }

  for (const payloadIndex of PAYLOAD_INDEXES) {
    if (state.indexedFields.has(payloadIndex.field)) continue;
    await callQdrant("create payload index", () =>
      client.createPayloadIndex(name, { wait: true, field_name: payloadIndex.field, field_schema: payloadIndex.schema }),
    );
  }
  const update = indexSettingsUpdate(state.indexSettings, index, DENSE_VECTOR);
  if (update) {
    settings.logger?.info({ collection: name, update }, "Qdrant collection settings differ from the configuration; updating them");
    await callQdrant("update collection", () => client.updateCollection(name, update));
  }
  if (settings.shardingMethod === "custom") await ensureShardKeys(client, name, settings.dedicatedShardTenants);
  return { created, state };
}

async function ensureShardKeys(client: QdrantClient, name: string, dedicatedTenants: string[]): Promise<void> {
  const listed = await callQdrant("list shard keys", () => client.listShardKeys(name));
  const present = new Set((listed.shard_keys ?? []).map((description) => String(description.key)));
  for (const key of [DEFAULT_SHARD_KEY, ...new Set(dedicatedTenants)]) {
    if (present.has(key)) continue;
    try {
      await client.createShardKey(name, { shard_key: key });
    } catch (error) {
      // A concurrent ensureCollection may have created it; anything else is a real failure.
      const after = await callQdrant("list shard keys", () => client.listShardKeys(name));
      if (!(after.shard_keys ?? []).some((description) => String(description.key) === key)) throw toQdrantError("create shard key", error);
    }
  }
}

/** Shard key a tenant's points live under with custom sharding: its own when dedicated, else `default`. */
export function shardKeyFor(tenant: string, settings: Pick<QdrantCollectionSettings, "shardingMethod" | "dedicatedShardTenants">): string | undefined {
  if (settings.shardingMethod !== "custom") return undefined;
  return settings.dedicatedShardTenants.includes(tenant) ? tenant : DEFAULT_SHARD_KEY;
}
