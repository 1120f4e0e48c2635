import { Field, FixedSizeList, Float32, Int32, Schema, Utf8 } from "apache-arrow";
import type { ChunkMetadata, ChunkPoint } from "../../../ports/vector-store.js";
import { chunkIndexTerms } from "../lexical-terms.js";

/** Schema-metadata keys that make the collection's embedding model and dimension durable. */
const MODEL_METADATA_KEY = "ragline.embedding_model";
const DIMENSION_METADATA_KEY = "ragline.dimension";

/** The embedding model and dimension a collection was built with. */
export interface CollectionSettings {
  model: string;
  dimension: number;
}

/** One flat LanceDB row per chunk; column names are the on-disk contract. */
export interface ChunkRow {
  id: string;
  tenant: string;
  document_id: string;
  chunk_index: number;
  text: string;
  vector: number[];
  title: string;
  source: string;
  start: number;
  end: number;
  heading_path: string;
  page: number | null;
  content_hash: string;
  embedding_model: string;
  /** Core's retrieval terms of title + text, space-joined: the only column the full-text index reads. */
  terms: string;
}

/** The column of the full-text index (see `terms` in ChunkRow). */
export const TERMS_COLUMN = "terms";

/** Every column but the vector and the terms: what a search hit needs to carry its text and metadata. */
export const PAYLOAD_COLUMNS = [
  "id",
  "tenant",
  "document_id",
  "chunk_index",
  "text",
  "title",
  "source",
  "start",
  "end",
  "heading_path",
  "page",
  "content_hash",
  "embedding_model",
] as const satisfies ReadonlyArray<Exclude<keyof ChunkRow, "vector" | "terms">>;

/** Arrow schema of the chunks table; the collection settings travel in the schema metadata. */
export function createChunkSchema(settings: CollectionSettings): Schema {
  const utf8 = (name: string) => new Field(name, new Utf8(), false);
  const int32 = (name: string, nullable = false) => new Field(name, new Int32(), nullable);
  return new Schema(
    [
      utf8("id"),
      utf8("tenant"),
      utf8("document_id"),
      int32("chunk_index"),
      utf8("text"),
      new Field("vector", new FixedSizeList(settings.dimension, new Field("item", new Float32(), true)), false),
      utf8("title"),
      utf8("source"),
      int32("start"),
      int32("end"),
      utf8("heading_path"),
      int32("page", true),
      utf8("content_hash"),
      utf8("embedding_model"),
      utf8(TERMS_COLUMN),
    ],
    new Map([
      [MODEL_METADATA_KEY, settings.model],
      [DIMENSION_METADATA_KEY, String(settings.dimension)],
    ]),
  );
}

/** Reads the collection settings back from a table schema; null when the table was not made by this adapter. */
export function readCollectionSettings(schema: Schema): CollectionSettings | null {
  const model = schema.metadata.get(MODEL_METADATA_KEY);
  const dimension = Number(schema.metadata.get(DIMENSION_METADATA_KEY));
  if (!model || !Number.isInteger(dimension) || dimension <= 0) return null;
  return { model, dimension };
}

export function chunkPointToRow(point: ChunkPoint): ChunkRow {
  const metadata = point.metadata;
  return {
    id: point.id,
    tenant: point.tenant,
    document_id: metadata.documentId,
    chunk_index: metadata.chunkIndex,
    text: point.text,
    vector: point.vector,
    title: metadata.title,
    source: metadata.source,
    start: metadata.start,
    end: metadata.end,
    heading_path: JSON.stringify(metadata.headingPath),
    page: metadata.page,
    content_hash: metadata.contentHash,
    embedding_model: metadata.embeddingModel,
    terms: chunkIndexTerms(point).join(" "),
  };
}

/** Chunk metadata from a row returned by a LanceDB query (plain values or Arrow vectors). */
export function chunkMetadataFromRow(row: Record<string, unknown>): ChunkMetadata {
  return {
    documentId: String(row.document_id),
    title: String(row.title),
    source: String(row.source),
    chunkIndex: Number(row.chunk_index),
    start: Number(row.start),
    end: Number(row.end),
    headingPath: parseHeadingPath(row.heading_path),
    page: row.page === null || row.page === undefined ? null : Number(row.page),
    contentHash: String(row.content_hash),
    embeddingModel: String(row.embedding_model),
  };
}

function parseHeadingPath(value: unknown): string[] {
  try {
    const parsed: unknown = JSON.parse(String(value));
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

/** Vector column value as a Float32Array (LanceDB returns an Arrow vector). */
export function vectorFromRow(value: unknown): Float32Array {
  if (value instanceof Float32Array) return value;
  if (value && typeof (value as { toArray?: unknown }).toArray === "function") {
    const values = (value as { toArray(): ArrayLike<number> }).toArray();
    return values instanceof Float32Array ? values : Float32Array.from(values);
  }
  return Float32Array.from(value as ArrayLike<number>);
}
