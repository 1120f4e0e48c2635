/**
 * Examples shown in the OpenAPI document (and /docs), one per wire shape, taken from a real run of
 * the embedded service and shortened. test/integration/openapi.test.ts validates each against its
 * own schema, so an example cannot drift from the shape it illustrates.
 */

const JOB_ID = "ingest:d608f653da327f6ee8e7a28d:1";
const CREATED = "2026-11-27T22:00:09.031Z";
const INDEXED = "2026-11-27T22:00:09.948Z";
const BATCH_ID = "batch_08f8f484-0e42-4992-bafb-8fc7f85aaaf8";
const CHUNK_ID = "fdf15aa4-56c1-5105-8117-4d013919de22";
const CONTENT_HASH = "e7c6faccb58f9df203459149fd14ce24680d82aae31685b59644b4041daa0411";

export const documentExample = {
  id: "otters",
  title: "Sea otters",
  source: "otters.md",
  media_type: "text/markdown",
  status: "indexed" as const,
  chunk_count: 1,
  content_hash: CONTENT_HASH,
  byte_size: 105,
  revision: 1,
  metadata: { team: "wildlife" },
  job_id: JOB_ID,
  error: null,
  created_at: CREATED,
  updated_at: INDEXED,
  indexed_at: INDEXED,
};

export const jobExample = {
  id: JOB_ID,
  document_id: "otters",
  revision: 1,
  state: "completed" as const,
  progress: 1,
  attempts: 1,
  max_attempts: 5,
  error: null,
  created_at: CREATED,
  updated_at: INDEXED,
  finished_at: INDEXED,
};

export const failedJobExample = {
  ...jobExample,
  id: "ingest:7b1c02aa9e0d4f7c8a51e3b2:1",
  document_id: "scan",
  state: "failed" as const,
  progress: 0,
  attempts: 5,
  error: "unprocessable_document: the PDF has no text layer (scanned pages need OCR first)",
};

export const uploadTextExample = {
  title: "Sea otters",
  source: "otters.md",
  text: "Sea otters hold hands while they sleep so that they do not drift apart.",
  metadata: { team: "wildlife" },
};

export const uploadResultExample = {
  batch_id: BATCH_ID,
  batch_url: `/v1/batches/${BATCH_ID}`,
  counts: { accepted: 1, duplicate: 0, updated: 0, refused: 1 },
  documents: [
    {
      index: 0,
      name: "otters.md",
      status: "accepted" as const,
      id: "otters",
      job_id: JOB_ID,
      document_status: "queued" as const,
      duplicate: false,
      status_url: "/v1/documents/otters",
      reason: null,
      error_code: null,
    },
    {
      index: 1,
      name: null,
      status: "refused" as const,
      id: null,
      job_id: null,
      document_status: null,
      duplicate: false,
      status_url: null,
      reason: "invalid document: documents.1.text: must not be empty",
      error_code: "validation_error",
    },
  ],
};

export const batchExample = {
  id: BATCH_ID,
  kind: "json" as const,
  created_at: CREATED,
  received_at: "2026-11-27T22:00:09.038Z",
  items: 2,
  counts: { accepted: 1, duplicate: 0, updated: 0, refused: 1 },
  documents: { queued: 0, processing: 0, indexed: 1, failed: 0, superseded: 0, deleted: 0 },
  progress: 1,
  done: true,
  indexed_chunks: 1,
  failure_count: 1,
  failures: [{ index: 1, name: null, document_id: null, stage: "upload" as const, reason: "invalid document: documents.1.text: must not be empty" }],
};

export const apiKeyExample = {
  id: "cba5c4419a7be841",
  tenant: "acme",
  scopes: ["read" as const, "write" as const],
  name: "ingest bot",
  created_at: "2026-11-27T22:00:10.043Z",
  expires_at: null,
  revoked_at: null,
};

export const usageExample = {
  from: "2026-10-28T22:00:10.049Z",
  to: "2026-11-27T22:00:10.049Z",
  group_by: ["day", "model"],
  totals: [
    {
      group: { day: "2026-11-27", model: "gpt-4o-mini" },
      calls: 42,
      failed_calls: 1,
      input_tokens: 61_230,
      output_tokens: 5_918,
      cached_tokens: 40_960,
      cost_usd: 0.0128,
    },
  ],
};

export const hitExample = {
  document_id: "otters",
  chunk_id: CHUNK_ID,
  score: 0.1667,
  scores: { dense: 0.5993, text: 1.3665, fused: 0.1667, relevance: 0.9199, dense_rank: 1, text_rank: 1 },
  text: "Sea otters hold hands while they sleep so that they do not drift apart. They rest in groups called rafts.",
  metadata: {
    title: "Sea otters",
    source: "otters.md",
    chunk_index: 0,
    start: 0,
    end: 105,
    heading_path: [],
    page: null,
    content_hash: CONTENT_HASH,
    embedding_model: "local-hash-v1-d512",
  },
};

/** An error body per status, as the API sends them. */
export const errorExamples: Record<number, { code: string; message: string; details: Record<string, unknown> | null }> = {
  400: {
    code: "validation_error",
    message: "invalid query parameters: state: state must be one of queued, active, completed, failed",
    details: { issues: [{ path: "state", message: "state must be one of queued, active, completed, failed" }] },
  },
  401: { code: "unauthorized", message: "missing API key: send Authorization: Bearer <key> or X-API-Key", details: null },
  403: { code: "forbidden", message: 'this API key lacks the "write" scope', details: { required_scope: "write" } },
  404: { code: "not_found", message: "document otters not found", details: null },
  409: { code: "conflict", message: "Job ingest:d608f653da327f6ee8e7a28d:1 is completed; only failed jobs can be retried", details: null },
  413: { code: "payload_too_large", message: "upload body exceeds 52428800 bytes (upload.maxBodyBytes)", details: null },
  415: { code: "unsupported_media_type", message: "image/png is not a supported document type (text, Markdown, HTML, PDF)", details: null },
  422: { code: "unprocessable_document", message: "every item was refused", details: null },
  429: { code: "rate_limited", message: "this API key's limit of 600 requests per minute is reached", details: { limit: "key", allowed: 600 } },
  500: { code: "internal_error", message: "internal error", details: null },
  502: { code: "upstream_error", message: "the answer model returned an error (HTTP 500)", details: null },
  503: { code: "upstream_unavailable", message: "the vector store is unavailable (circuit open)", details: null },
  504: { code: "upstream_timeout", message: "the answer model did not answer within 30000 ms", details: null },
};

/** The error envelope for a status (a generic error for statuses without an example of their own). */
export function errorExample(status: number) {
  return { error: errorExamples[status] ?? errorExamples[500]!, request_id: "0ddc8f5d-6f67-4374-87e2-7f4e0c1ad74a" };
}

export const queryRequestExample = { question: "Why do sea otters hold hands?", top_k: 3, filter: { sources: ["otters.md"] } };

export const queryResponseExample = {
  answer_status: "answered" as const,
  answer: "Sea otters hold hands while they sleep so that they do not drift apart. [1]",
  citations: [
    {
      n: 1,
      document_id: "otters",
      chunk_id: CHUNK_ID,
      start: 0,
      end: 71,
      score: 0.1667,
      snippet: "Sea otters hold hands while they sleep so that they do not drift apart.",
    },
  ],
  retrieval: {
    status: "ok" as const,
    hits: [hitExample],
    thresholds: {
      top_k: 3,
      candidate_k: 50,
      min_score: 0.3,
      min_score_applies_to: "scores.relevance" as const,
      fusion: { method: "weighted-rrf" as const, weights: { dense: 0.05, lexical: 0.95 }, rrf_k: 5 },
    },
  },
  prompt_version: "extractive.v1",
  model: "local-extractive",
  usage: { input_tokens: 0, output_tokens: 0, cached_tokens: 0, cost_usd: 0, model: "local-extractive", prompt_version: "extractive.v1" },
  cached: false,
  degraded: false,
  answer_id: "ans_5b0c8f3e2a9d4c17",
  review: { needed: false, score: 1, reasons: [] },
  judge_version: "local-support.v1",
  examples: [],
};
