// The tables of Ragline's state, one shape for SQLite and PostgreSQL. Timestamps are ISO-8601 UTC
// strings (`Date#toISOString`), so they sort and compare as text on both dialects; JSON is text.

export interface DocumentsTable {
  tenant: string;
  id: string;
  title: string;
  source: string;
  media_type: string;
  status: string;
  content_hash: string;
  byte_size: number;
  chunk_count: number;
  /** JSON object. */
  metadata: string;
  revision: number;
  job_id: string;
  error: string | null;
  created_at: string;
  updated_at: string;
  indexed_at: string | null;
}

/** Ingest jobs: the embedded queue itself, and the outbox relayed to BullMQ in server mode. */
export interface JobsTable {
  id: string;
  /** JSON payload. */
  data: string;
  state: string;
  attempts: number;
  max_attempts: number;
  /** Attempts that were running when their process died. */
  crashes: number;
  progress: number;
  error: string | null;
  /** Earliest time the job may be claimed (backoff). */
  run_after: string;
  /** Who holds the job while it runs, and until when the claim is valid. */
  lease_owner: string | null;
  lease_expires_at: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  /** Server mode: when the outbox row was handed to BullMQ; null until then. */
  relayed_at: string | null;
}

/** One upload request (JSON, NDJSON, multipart or a replace); its items are `upload_batch_items`. */
export interface UploadBatchesTable {
  tenant: string;
  id: string;
  /** json | ndjson | multipart | replace */
  kind: string;
  created_at: string;
  /** When the request's last item was read; null while it is still streaming (or if it was cut short). */
  received_at: string | null;
}

/** One item of an upload batch, in request order. */
export interface UploadBatchItemsTable {
  tenant: string;
  batch_id: string;
  /** 0-based position of the item in the request. */
  position: number;
  /** File name, or the JSON item's source; null when it had none. */
  name: string | null;
  /** accepted | duplicate | updated | refused */
  outcome: string;
  /** Null for a refused item. */
  document_id: string | null;
  /** The job that brings the document to what this item uploaded; null for a refused item. */
  job_id: string | null;
  /** Why the item was refused; null otherwise. */
  reason: string | null;
}

export interface EmbeddingCacheTable {
  key: string;
  value: string;
  expires_at: string | null;
  used_at: string;
}

/** Uploaded bytes up to `ingest.inlineBlobMaxBytes` (larger ones are files). */
export interface BlobsTable {
  key: string;
  bytes: Uint8Array;
}

export interface ApiKeysTable {
  id: string;
  tenant: string;
  /** sha256 of the key; the key itself is never stored. */
  key_hash: string;
  /** JSON array of scopes. */
  scopes: string;
  name: string;
  created_at: string;
  revoked_at: string | null;
  /** After this time the key is refused; null: never. */
  expires_at: string | null;
}

export interface UsageTable {
  id: string;
  tenant: string;
  /** The API key the call was made for; null when not known (ingest embeddings, auth off). */
  key_id: string | null;
  task: string;
  provider: string;
  model: string;
  prompt_version: string;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  latency_ms: number;
  outcome: string;
  created_at: string;
}

/** One answer given in answer mode (`answer_id`). */
export interface AnswersTable {
  id: string;
  tenant: string;
  key_id: string | null;
  question: string;
  answer: string | null;
  /** JSON array of citations. */
  citations: string;
  answer_status: string;
  prompt_version: string | null;
  model: string | null;
  judge_version: string | null;
  /** JSON `{needed, score, reasons}`; null until a judge gave a verdict. */
  review: string | null;
  /** JSON array of example ids. */
  examples: string;
  created_at: string;
}

/** A rating of an answer (`up` | `down`), optionally with a correction. */
export interface FeedbackTable {
  id: string;
  tenant: string;
  answer_id: string;
  key_id: string | null;
  rating: string;
  corrected_answer: string | null;
  comment: string | null;
  created_at: string;
}

/** The review queue: answers the judge flagged, corrections awaiting a reviewer. */
export interface ReviewsTable {
  id: string;
  tenant: string;
  answer_id: string;
  feedback_id: string | null;
  question: string;
  answer: string | null;
  /** JSON array of citations. */
  citations: string;
  score: number | null;
  /** JSON array of strings. */
  reasons: string;
  judge_version: string | null;
  prompt_version: string | null;
  proposed_answer: string | null;
  /** pending | approved | rejected | corrected */
  state: string;
  corrected_answer: string | null;
  comment: string | null;
  example_id: string | null;
  created_at: string;
  decided_at: string | null;
  decided_by: string | null;
}

/** Reviewed corrections reused as few-shot examples; `id` is the feedback's. */
export interface AnswerExamplesTable {
  id: string;
  tenant: string;
  question: string;
  answer: string;
  /** The question's embedding: little-endian float32, base64. */
  embedding: string;
  embedding_model: string;
  review_id: string | null;
  created_at: string;
}

export interface EvalRunsTable {
  id: string;
  dataset: string;
  /** JSON: settings the run used. */
  settings: string;
  /** JSON: metrics by name. */
  metrics: string | null;
  started_at: string;
  finished_at: string | null;
}

export interface SqlDatabase {
  documents: DocumentsTable;
  jobs: JobsTable;
  upload_batches: UploadBatchesTable;
  upload_batch_items: UploadBatchItemsTable;
  embedding_cache: EmbeddingCacheTable;
  api_keys: ApiKeysTable;
  usage: UsageTable;
  answers: AnswersTable;
  feedback: FeedbackTable;
  reviews: ReviewsTable;
  answer_examples: AnswerExamplesTable;
  eval_runs: EvalRunsTable;
  blobs: BlobsTable;
}
