import { z } from "@hono/zod-openapi";

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
  .openapi("Document");

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
  .openapi("Job");

// A union, not `jobSchema.nullable()`: zod-to-openapi would make the Job component itself nullable.
export const documentWithJobSchema = documentSchema
  .extend({ job: z.union([jobSchema, z.null()]) })
  .openapi("DocumentWithJob", { description: "A document with its current revision's job (`job` is null once a finished job was pruned)" });

export const acceptedDocumentSchema = z
  .object({
    id: z.string(),
    job_id: z.string(),
    status: documentSchema.shape.status,
    duplicate: z.boolean().openapi({ description: "True when the same content was already there: nothing was queued" }),
    status_url: z.string(),
  })
  .openapi("AcceptedDocument");

export const acceptedDocumentsSchema = z.object({ documents: z.array(acceptedDocumentSchema) }).openapi("AcceptedDocuments");

export const documentPageSchema = z
  .object({
    documents: z.array(documentSchema),
    next_cursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null at the end" }),
  })
  .openapi("DocumentPage");

export const failedJobPageSchema = z.object({ jobs: z.array(jobSchema), total: z.number().int() }).openapi("FailedJobPage");
