import type { Schemas } from "@qdrant/js-client-rest";
import { ValidationError } from "../../../core/errors.js";
import { bm25DocumentVector } from "./bm25-sparse-vector.js";
import { DENSE_VECTOR, SPARSE_VECTOR } from "./qdrant-collection.js";
import { chunkIndexTerms } from "../lexical-terms.js";
import type { ChunkMetadata, ChunkPoint } from "../../../ports/vector-store.js";

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Payload of one chunk: `page_content` + `metadata` (what LangChain's QdrantVectorStore reads) and `tenant` for filtering. */
export interface ChunkPayload {
  page_content: string;
  metadata: ChunkMetadata;
  tenant: string;
}

/** Qdrant point ids are unsigned integers or UUIDs; ours are UUIDv5 (lower-case, as Qdrant returns them). */
export function assertUuidIds(points: ChunkPoint[]): void {
  const issues = points.flatMap((point, index) =>
    typeof point.id === "string" && UUID_PATTERN.test(point.id) ? [] : [{ path: `points.${index}.id`, message: "must be a lower-case UUID" }],
  );
  if (issues.length > 0) throw new ValidationError("Invalid point ids for Qdrant", issues);
}

/** One chunk as a Qdrant point: named dense vector, BM25 term frequencies of its title + text terms (when it has any), chunk payload. */
export function chunkPointToQdrant(point: ChunkPoint): Schemas["PointStruct"] {
  const payload: ChunkPayload = { page_content: point.text, metadata: { ...point.metadata }, tenant: point.tenant };
  const sparse = bm25DocumentVector(chunkIndexTerms(point));
  // A chunk without terms gets no sparse vector at all rather than an empty one.
  const vector = sparse.indices.length > 0 ? { [DENSE_VECTOR]: point.vector, [SPARSE_VECTOR]: sparse } : { [DENSE_VECTOR]: point.vector };
  return { id: point.id, vector, payload: payload as unknown as Record<string, unknown> };
}

/** Reads a chunk back from a returned point's payload (missing fields get neutral values, never throw). */
export function chunkFromPayload(payload: Record<string, unknown> | null | undefined): { tenant: string; text: string; metadata: ChunkMetadata } {
  const stored = (payload?.metadata ?? {}) as Partial<Record<keyof ChunkMetadata, unknown>>;
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const integer = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : 0);
  return {
    tenant: text(payload?.tenant),
    text: text(payload?.page_content),
    metadata: {
      documentId: text(stored.documentId),
      title: text(stored.title),
      source: text(stored.source),
      chunkIndex: integer(stored.chunkIndex),
      start: integer(stored.start),
      end: integer(stored.end),
      headingPath: Array.isArray(stored.headingPath) ? stored.headingPath.filter((heading): heading is string => typeof heading === "string") : [],
      page: typeof stored.page === "number" ? stored.page : null,
      contentHash: text(stored.contentHash),
      embeddingModel: text(stored.embeddingModel),
    },
  };
}

/** The dense vector of a returned point (`with_vector: ["dense"]`), or null when absent. */
export function denseVectorOf(point: Schemas["ScoredPoint"]): number[] | null {
  const vector = point.vector as Record<string, unknown> | number[] | null | undefined;
  if (!vector || Array.isArray(vector)) return null;
  const dense = vector[DENSE_VECTOR];
  return Array.isArray(dense) && dense.every((value) => typeof value === "number") ? (dense as number[]) : null;
}
