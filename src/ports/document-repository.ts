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

/** What became of one item of an upload. */
export type UploadOutcome = "accepted" | "duplicate" | "updated" | "refused";

/** One upload request: JSON (one text or `documents: [...]`), NDJSON, multipart, or a replace (PUT). */
export interface UploadBatch {
  tenant: string;
  id: string;
  kind: "json" | "ndjson" | "multipart" | "replace";
  createdAt: string;
  /** When the request's last item was read; null while it streams, or when it was cut short. */
  receivedAt: string | null;
}

/** One item of a batch, as the upload settled it. */
export interface UploadBatchItem {
  /** 0-based position in the request. */
  position: number;
  /** File name, or the JSON item's source; null when it had none. */
  name: string | null;
  outcome: UploadOutcome;
  /** The document the item went to; null when refused. */
  documentId: string | null;
  /** The job that brings the document to what this item uploaded; null when refused. */
  jobId: string | null;
  /** Why it was refused; null otherwise. */
  reason: string | null;
}

/**
 * Where an item's document stands now: its status while the document is still at the revision the
 * item uploaded, `superseded` once a later upload replaced it, `deleted` once it was deleted.
 */
export type BatchDocumentState = DocumentStatus | "superseded" | "deleted";

/** An item that did not make it: refused at upload, or its document failed to index. */
export interface UploadBatchFailure {
  position: number;
  name: string | null;
  documentId: string | null;
  stage: "upload" | "ingest";
  reason: string;
}

export interface UploadBatchSummary {
  batch: UploadBatch;
  /** Items by outcome (every item counted once). */
  outcomes: Record<UploadOutcome, number>;
  /** Items that were not refused, by the state of their document. */
  documents: Record<BatchDocumentState, number>;
  /** Refused items and failed documents, by position, at most `failureLimit` of them. */
  failures: UploadBatchFailure[];
  /** All such failures, listed or not. */
  failureCount: number;
  /** Chunks of the batch's documents that are indexed now (their current revision). */
  indexedChunks: number;
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
 * Upload batches are per tenant too: another tenant's batch id reads as null.
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
  /** `putWithJob` for many records at once, all in one transaction (all written or none); results in order. */
  putManyWithJobs(entries: Array<{ record: DocumentRecord; job: NewJob }>): Promise<Array<{ jobCreated: boolean }>>;
  /** Applies `patch` to an existing record (`updatedAt` becomes now unless the patch sets it) and returns it, or null if it does not exist. */
  update(tenant: string, id: string, patch: Partial<Omit<DocumentRecord, "tenant" | "id">>): Promise<DocumentRecord | null>;
  /**
   * Newest first by createdAt, then id; `cursor` is the opaque value from the previous page (of the
   * same `status` filter). `status` keeps only records in that status.
   */
  list(tenant: string, options: { limit: number; cursor?: string; status?: DocumentStatus }): Promise<{ items: DocumentRecord[]; nextCursor: string | null }>;
  delete(tenant: string, id: string): Promise<boolean>;
  /**
   * Records of any tenant whose status is one of `statuses`, least recently updated first, at most
   * `limit` (reconciliation of records stranded between a record and its job).
   */
  listByStatus(statuses: DocumentStatus[], limit: number): Promise<DocumentRecord[]>;
  /** Starts a batch (an id already used by the tenant is a ConflictError). */
  createBatch(batch: UploadBatch): Promise<void>;
  /** Appends settled items to the tenant's batch (positions are unique within it; writing one again replaces it). */
  addBatchItems(tenant: string, batchId: string, items: UploadBatchItem[]): Promise<void>;
  /** Records that the batch's last item was read. */
  markBatchReceived(tenant: string, batchId: string, receivedAt: string): Promise<void>;
  /** The batch with its items counted by outcome and by the current state of their documents, or null (also another tenant's). */
  getBatch(tenant: string, batchId: string, options: { failureLimit: number }): Promise<UploadBatchSummary | null>;
}

/** Port for the uploaded bytes, kept until the document is indexed (and for re-processing). */
export interface BlobStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
  delete(key: string): Promise<void>;
  /** Optional: several blobs at once (a bulk upload's group), in one transaction where the store has them. Same effect as `put` for each. */
  putMany?(entries: ReadonlyArray<BlobEntry>): Promise<void>;
}

export interface BlobEntry {
  key: string;
  bytes: Uint8Array;
}
