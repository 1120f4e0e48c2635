import type { Schemas } from "@qdrant/js-client-rest";

/**
 * How Qdrant indexes and stores the dense vectors and payloads: the knobs that matter from a million
 * points on. Field names of Qdrant 1.x that every 1.x server accepts (`on_disk`, `on_disk_payload`,
 * `always_ram`; 1.19 also has `memory`, which older servers refuse).
 */
export interface QdrantIndexSettings {
  /** HNSW edges per node of the global graph (Qdrant's default 16); 0 builds none (every search filtered by tenant). */
  hnswM: number;
  /** Edges of the per-tenant graphs Qdrant builds for the `is_tenant` payload index. */
  hnswPayloadM: number;
  hnswEfConstruct: number;
  /** Beam width of a dense search (`hnsw_ef`); larger is more exact and slower. */
  searchHnswEf: number;
  /** `int8`: scalar quantisation kept in RAM, searches rescored with the original vectors (exact cosines). */
  quantization: "int8" | "none";
  /** Candidates read from the quantised index per result before rescoring. */
  quantizationOversampling: number;
  /** Original vectors memory-mapped from disk (with int8 only the quantised copy must fit in RAM). */
  vectorsOnDisk: boolean;
  /** Payloads (chunk texts) read from disk; the payload indexes stay in RAM. */
  payloadOnDisk: boolean;
  /** While true the collection builds no HNSW index (`indexing_threshold: 0`); set false after a bulk load to build it once. */
  bulkLoad: boolean;
  /** Segment size (kB of vectors) from which an HNSW index is built, when not bulk loading (Qdrant's default 20,000). */
  indexingThresholdKb: number;
}

export const DEFAULT_QDRANT_INDEX_SETTINGS: QdrantIndexSettings = {
  hnswM: 16,
  hnswPayloadM: 16,
  hnswEfConstruct: 100,
  searchHnswEf: 128,
  quantization: "int8",
  quantizationOversampling: 2,
  vectorsOnDisk: false,
  payloadOnDisk: true,
  bulkLoad: false,
  indexingThresholdKb: 20_000,
};

const INT8_QUANTIZATION: Schemas["QuantizationConfig"] = { scalar: { type: "int8", quantile: 0.99, always_ram: true } };

function indexingThreshold(settings: QdrantIndexSettings): number {
  return settings.bulkLoad ? 0 : settings.indexingThresholdKb;
}

/** The parts of a CreateCollection body these settings decide (the dense vector's `on_disk` is returned apart). */
export function creationIndexParams(
  settings: QdrantIndexSettings,
): Pick<Schemas["CreateCollection"], "hnsw_config" | "on_disk_payload" | "quantization_config" | "optimizers_config"> {
  return {
    hnsw_config: { m: settings.hnswM, payload_m: settings.hnswPayloadM, ef_construct: settings.hnswEfConstruct },
    on_disk_payload: settings.payloadOnDisk,
    optimizers_config: { indexing_threshold: indexingThreshold(settings) },
    ...(settings.quantization === "int8" ? { quantization_config: INT8_QUANTIZATION } : {}),
  };
}

/** What a collection reports of these settings (from its info); missing values are null. */
export interface ReportedIndexSettings {
  hnswM: number | null;
  hnswPayloadM: number | null;
  hnswEfConstruct: number | null;
  int8: boolean;
  vectorsOnDisk: boolean;
  payloadOnDisk: boolean;
  indexingThresholdKb: number | null;
}

export function reportedIndexSettings(config: Schemas["CollectionConfig"], denseVector: string): ReportedIndexSettings {
  const vectors = config.params.vectors as Record<string, { on_disk?: boolean | null } | undefined> | undefined;
  const quantization = config.quantization_config as { scalar?: { type?: string } } | null | undefined;
  return {
    hnswM: config.hnsw_config.m ?? null,
    hnswPayloadM: config.hnsw_config.payload_m ?? null,
    hnswEfConstruct: config.hnsw_config.ef_construct ?? null,
    int8: quantization?.scalar?.type === "int8",
    vectorsOnDisk: vectors?.[denseVector]?.on_disk === true,
    payloadOnDisk: config.params.on_disk_payload === true,
    indexingThresholdKb: config.optimizer_config.indexing_threshold ?? null,
  };
}

/**
 * The PATCH that brings an existing collection to `settings`, or null when it already matches. Each
 * part is sent only when it differs (changing HNSW or quantisation makes Qdrant rebuild indexes).
 */
export function indexSettingsUpdate(reported: ReportedIndexSettings, settings: QdrantIndexSettings, denseVector: string): Schemas["UpdateCollection"] | null {
  const update: Schemas["UpdateCollection"] = {};
  if (reported.hnswM !== settings.hnswM || reported.hnswPayloadM !== settings.hnswPayloadM || reported.hnswEfConstruct !== settings.hnswEfConstruct) {
    update.hnsw_config = { m: settings.hnswM, payload_m: settings.hnswPayloadM, ef_construct: settings.hnswEfConstruct };
  }
  if (reported.int8 !== (settings.quantization === "int8")) update.quantization_config = settings.quantization === "int8" ? INT8_QUANTIZATION : "Disabled";
  if (reported.vectorsOnDisk !== settings.vectorsOnDisk) update.vectors = { [denseVector]: { on_disk: settings.vectorsOnDisk } };
  if (reported.payloadOnDisk !== settings.payloadOnDisk) update.params = { on_disk_payload: settings.payloadOnDisk };
  if (reported.indexingThresholdKb !== indexingThreshold(settings)) update.optimizers_config = { indexing_threshold: indexingThreshold(settings) };
  return Object.keys(update).length > 0 ? update : null;
}

/** Search parameters of the dense search: the beam width, and rescoring with the original vectors when quantised. */
export function denseSearchParams(settings: QdrantIndexSettings): Schemas["SearchParams"] {
  return {
    hnsw_ef: settings.searchHnswEf,
    ...(settings.quantization === "int8" ? { quantization: { rescore: true, oversampling: settings.quantizationOversampling } } : {}),
  };
}
