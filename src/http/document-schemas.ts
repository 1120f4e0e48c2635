import { z } from "@hono/zod-openapi";
import { metadataSchema } from "./read-uploads.js";
import { batchExample, documentExample, failedJobExample, jobExample, uploadResultExample } from "./openapi-examples.js";

const timestamp = z.iso.datetime();

/** Wire shape of a document record (see `documentJson`). */
export const documentSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    source: z.string().openapi({ description: "File name of the upload, empty for JSON text" }),
    media_type: z.string().openapi({ description: "Sniffed from the bytes: text/plain, text/markdown, text/html, application/pdf" }),
    status: z.enum(["queued", "processing", "indexed", "failed"]),
    chunk_count: z.number().int(),
    content_hash: z.string().openapi({ description: "sha256 of the normalised content" }),
    byte_size: z.number().int(),
    revision: z.number().int().openapi({ description: "Increments on every replacement of the content" }),
    metadata: z.record(z.string(), z.unknown()),
    job_id: z.string().openapi({ description: "Ingest job of the current revision" }),
    error: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    indexed_at: timestamp.nullable(),
  })
  .openapi("Document", { example: documentExample });

/** Wire shape of an ingest job (see `jobJson`). */
export const jobSchema = z
  .object({
    id: z.string(),
    document_id: z.string(),
    revision: z.number().int(),
    state: z.enum(["queued", "active", "completed", "failed"]),
    progress: z.number().min(0).max(1),
    attempts: z.number().int(),
    max_attempts: z.number().int(),
    error: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    finished_at: timestamp.nullable(),
  })
  .openapi("Job", { example: jobExample });

// A union, not `jobSchema.nullable()`: zod-to-openapi would make the Job component itself nullable.
export const documentWithJobSchema = documentSchema.extend({ job: z.union([jobSchema, z.null()]) }).openapi("DocumentWithJob", {
  description: "A document with its current revision's job (`job` is null once a finished job was pruned)",
  example: { ...documentExample, job: jobExample },
});

const uploadOutcomeSchema = z.enum(["accepted", "duplicate", "updated", "refused"]);

export const acceptedDocumentSchema = z
  .object({
    index: z.number().int().openapi({ description: "0-based position of the item in the request" }),
    name: z.string().nullable().openapi({ description: "File name (multipart) or the item's `source`; null when it had none" }),
    line: z.number().int().optional().openapi({ description: "NDJSON: the 1-based line of the item" }),
    status: uploadOutcomeSchema.openapi({
      description:
        "`accepted`: stored and queued; `duplicate`: the same content, title and metadata were already there; `updated`: same content, new title or metadata; `refused`: not stored, see `reason`",
    }),
    id: z.string().nullable().openapi({ description: "Document id; null when refused" }),
    job_id: z.string().nullable().openapi({ description: "Ingest job of the document's current revision; null when refused" }),
    document_status: documentSchema.shape.status.nullable().openapi({ description: "The document's status after this upload; null when refused" }),
    duplicate: z.boolean().openapi({ description: "True when nothing changed (`status: duplicate`)" }),
    status_url: z.string().nullable(),
    reason: z.string().nullable().openapi({ description: "Why the item was refused; null otherwise" }),
    error_code: z.string().nullable().openapi({ description: "The refusal's error code (e.g. unsupported_media_type, validation_error, conflict)" }),
  })
  .openapi("UploadedItem");

const outcomeCountsSchema = z.object({ accepted: z.number().int(), duplicate: z.number().int(), updated: z.number().int(), refused: z.number().int() });

export const acceptedDocumentsSchema = z
  .object({
    batch_id: z.string().openapi({ description: "Follow the upload with `GET /v1/batches/{batch_id}`" }),
    batch_url: z.string(),
    counts: outcomeCountsSchema,
    documents: z.array(acceptedDocumentSchema).openapi({ description: "One result per item, in request order" }),
  })
  .openapi("UploadResult", { example: uploadResultExample });

export const batchSchema = z
  .object({
    id: z.string(),
    kind: z.enum(["json", "ndjson", "multipart", "replace"]),
    created_at: timestamp,
    received_at: timestamp.nullable().openapi({ description: "When the last item was read; null while streaming or when the upload was cut short" }),
    items: z.number().int(),
    counts: outcomeCountsSchema.openapi({ description: "Items by upload outcome" }),
    documents: z
      .object({
        queued: z.number().int(),
        processing: z.number().int(),
        indexed: z.number().int(),
        failed: z.number().int(),
        superseded: z.number().int().openapi({ description: "Replaced by a later upload before or after indexing" }),
        deleted: z.number().int(),
      })
      .openapi({ description: "Items that were not refused, by the current state of their document" }),
    progress: z
      .number()
      .min(0)
      .max(1)
      .openapi({ description: "Share of the non-refused items whose document is settled (indexed, failed, superseded, deleted)" }),
    done: z.boolean().openapi({ description: "Every item was read and every document is settled" }),
    indexed_chunks: z.number().int().openapi({ description: "Chunks of the batch's documents indexed so far (their current revision)" }),
    failure_count: z.number().int(),
    failures: z
      .array(
        z.object({
          index: z.number().int(),
          name: z.string().nullable(),
          document_id: z.string().nullable(),
          stage: z.enum(["upload", "ingest"]).openapi({ description: "`upload`: the item was refused; `ingest`: its document failed to index" }),
          reason: z.string(),
        }),
      )
      .openapi({ description: "Refused items and failed documents by position, at most `failures_limit`" }),
  })
  .openapi("Batch", { example: batchExample });

/** `PATCH /v1/documents/{id}`: a new title and/or metadata without uploading again. */
export const documentDetailsPatchSchema = z
  .strictObject({
    title: z.string().min(1).max(512).optional(),
    metadata: metadataSchema.optional().openapi({ description: "Replaces the document's metadata as a whole" }),
  })
  .refine((value) => value.title !== undefined || value.metadata !== undefined, { message: "give a title, metadata or both" })
  .openapi("DocumentDetailsPatch", { example: { title: "Sea otters (Enhydra lutris)", metadata: { team: "wildlife", reviewed: true } } });

export const documentPageSchema = z
  .object({
    documents: z.array(documentSchema),
    next_cursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null at the end" }),
  })
  .openapi("DocumentPage", { example: { documents: [documentExample], next_cursor: null } });

export const jobPageSchema = z
  .object({
    jobs: z.array(jobSchema),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: "Pass as `cursor` for the next page; null at the end (a page may hold fewer than `limit` jobs)" }),
  })
  .openapi("JobPage", { example: { jobs: [failedJobExample], next_cursor: "eyJ1cGRhdGVkX2F0Ijo…" } });
