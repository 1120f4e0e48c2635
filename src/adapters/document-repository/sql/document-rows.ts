import type { Selectable } from "kysely";
import type { DocumentRecord, DocumentStatus } from "../../../ports/document-repository.js";
import type { DocumentsTable } from "../../sql/sql-schema.js";

/** A record as its `documents` row. */
export function rowFromRecord(record: DocumentRecord): DocumentsTable {
  return {
    tenant: record.tenant,
    id: record.id,
    title: record.title,
    source: record.source,
    media_type: record.mediaType,
    status: record.status,
    content_hash: record.contentHash,
    byte_size: record.byteSize,
    chunk_count: record.chunkCount,
    metadata: JSON.stringify(record.metadata),
    revision: record.revision,
    job_id: record.jobId,
    error: record.error,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    indexed_at: record.indexedAt,
  };
}

/** The columns a patch of these record fields writes. */
export function rowPatch(patch: Partial<Omit<DocumentRecord, "tenant" | "id">>): Partial<DocumentsTable> {
  const full = rowFromRecord({ ...(patch as DocumentRecord), tenant: "", id: "" });
  const columns: Partial<DocumentsTable> = {};
  for (const [field, column] of FIELD_COLUMNS) {
    if (field in patch && (patch as Record<string, unknown>)[field] !== undefined) (columns as Record<string, unknown>)[column] = full[column];
  }
  return columns;
}

const FIELD_COLUMNS: Array<[keyof DocumentRecord, keyof DocumentsTable]> = [
  ["title", "title"],
  ["source", "source"],
  ["mediaType", "media_type"],
  ["status", "status"],
  ["contentHash", "content_hash"],
  ["byteSize", "byte_size"],
  ["chunkCount", "chunk_count"],
  ["metadata", "metadata"],
  ["revision", "revision"],
  ["jobId", "job_id"],
  ["error", "error"],
  ["createdAt", "created_at"],
  ["updatedAt", "updated_at"],
  ["indexedAt", "indexed_at"],
];

/** Every column of `documents`. */
export const DOCUMENT_COLUMNS: Array<keyof DocumentsTable> = ["tenant", "id", ...FIELD_COLUMNS.map(([, column]) => column)];

/** A `documents` row as a record (numbers may arrive as strings from some drivers). */
export function recordFromRow(row: Selectable<DocumentsTable>): DocumentRecord {
  return {
    tenant: row.tenant,
    id: row.id,
    title: row.title,
    source: row.source,
    mediaType: row.media_type,
    status: row.status as DocumentStatus,
    contentHash: row.content_hash,
    byteSize: Number(row.byte_size),
    chunkCount: Number(row.chunk_count),
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    revision: Number(row.revision),
    jobId: row.job_id,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    indexedAt: row.indexed_at,
  };
}
