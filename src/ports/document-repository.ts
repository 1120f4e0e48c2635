export type DocumentStatus = "queued" | "processing" | "indexed" | "failed";

export interface DocumentRecord {
  tenant: string;
  id: string;
  title: string;
  source: string;
  /** Sniffed media type: text/plain, text/markdown, text/html, application/pdf. */
  mediaType: string;
  status: DocumentStatus;
  /** sha256 of the normalised content (see `normalizedContent` in core/documents.ts: decoded, NFC, trimmed text; a PDF's bytes as uploaded). */
  contentHash: string;
  byteSize: number;
  chunkCount: number;
  metadata: Record<string, unknown>;
  /** Increments on every replacement of the content; part of the ingest job id. */
  revision: number;
  /** Job that brings the record to its current content. */
  jobId: string;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  indexedAt: string | null;
}

/** The ingest job written together with a record (see `putWithJob`). */
export interface NewJob {
  /** Idempotency key: a job with this id that already exists is left as it is. */
  id: string;
  data: unknown;
}

/** One change of `updateMany`: `patch` to the record, only while it still names `jobId` when given. */
export interface DocumentRecordChange {
  tenant: string;
  id: string;
  jobId?: string;
  patch: Partial<Omit<DocumentRecord, "tenant" | "id">>;
}

/**
 * Port for document records (SQLite embedded, PostgreSQL in server mode).
 * Records are per tenant: `get` of another tenant's id is null.
 */
export interface DocumentRepository {
  get(tenant: string, id: string): Promise<DocumentRecord | null>;
  /** The records of `keys` (any tenants), in order, null where there is none; for batches (a query per tenant, not per key). */
  getMany(keys: Array<{ tenant: string; id: string }>): Promise<Array<DocumentRecord | null>>;
  /**
   * Applies `changes` in one transaction (`updatedAt` becomes now unless a patch sets it) and returns,
   * in order, whether each applied: a change applies while its record exists and, when it names a
   * `jobId`, while the record still names that job (a newer revision or a delete wins).
   */
  updateMany(changes: DocumentRecordChange[]): Promise<boolean[]>;
  put(record: DocumentRecord): Promise<void>;
  /**
   * Writes the record (insert or replace) and queues its ingest job in one transaction: after it
   * returns, a crash cannot leave the record without its job. `jobCreated` is false when a job with
   * that id already existed.
   */
  putWithJob(record: DocumentRecord, job: NewJob): Promise<{ jobCreated: boolean }>;
  /** Applies `patch` to an existing record (`updatedAt` becomes now unless the patch sets it) and returns it, or null if it does not exist. */
  update(tenant: string, id: string, patch: Partial<Omit<DocumentRecord, "tenant" | "id">>): Promise<DocumentRecord | null>;
  /** Newest first by createdAt, then id; `cursor` is the opaque value from the previous page. */
  list(tenant: string, options: { limit: number; cursor?: string }): Promise<{ items: DocumentRecord[]; nextCursor: string | null }>;
  delete(tenant: string, id: string): Promise<boolean>;
  /**
   * Records of any tenant whose status is one of `statuses`, least recently updated first, at most
   * `limit` (reconciliation of records stranded between a record and its job).
   */
  listByStatus(statuses: DocumentStatus[], limit: number): Promise<DocumentRecord[]>;
}

/** Port for the uploaded bytes, kept until the document is indexed (and for re-processing). */
export interface BlobStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
  delete(key: string): Promise<void>;
}
