import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { PayloadTooLargeError, ValidationError, NotFoundError } from "../../core/errors.js";
import type { BlobStore, DocumentRepository, UploadBatch } from "../../ports/document-repository.js";
import type { VectorStore } from "../../ports/vector-store.js";
import type { Metrics } from "../../observability/metrics.js";
import { deleteDocument } from "../../use-cases/delete-document.js";
import type { SubmitDocumentDeps } from "../../use-cases/submit-document.js";
import { submitUploadBatch, type UploadEntry } from "../../use-cases/submit-upload-batch.js";
import { updateDocumentDetails } from "../../use-cases/update-document-details.js";
import type { AppEnv } from "../app-env.js";
import { acceptedDocumentsSchema, documentDetailsPatchSchema, documentPageSchema, documentSchema, documentWithJobSchema } from "../document-schemas.js";
import { validationHook } from "../openapi-hook.js";
import { describedSchema, errorResponses, jsonContent } from "../openapi-schemas.js";
import { uploadTextExample } from "../openapi-examples.js";
import { documentIdSchema, jsonBulkUploadSchema, jsonUploadSchema, multipartUploadSchema, readUploads, type Upload } from "../read-uploads.js";
import { limitBody } from "../request-body.js";
import { documentJson, jobJson } from "../serialize.js";
import { uploadResultJson, uploadStatus } from "./upload-results.js";

export interface DocumentRoutesDeps extends SubmitDocumentDeps {
  documents: DocumentRepository;
  blobs: BlobStore;
  store: VectorStore;
  metrics?: Metrics;
  maxUploadBytes: number;
  maxFilesPerRequest: number;
  maxDocumentsPerRequest: number;
}

const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional().openapi({ description: "`next_cursor` of the previous page" }),
});

const idParamsSchema = z.object({ id: documentIdSchema });

const NDJSON = "application/x-ndjson";

/** `/v1/documents`: upload (one, bulk JSON, NDJSON or multipart; per-item results and a batch), replace, change details, list, read, delete. */
export function documentRoutes(deps: DocumentRoutesDeps): OpenAPIHono<AppEnv> {
  const routes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const tooLarge = () =>
    new PayloadTooLargeError(`request body exceeds upload.maxBytes (${deps.maxUploadBytes} bytes)`, { details: { max_bytes: deps.maxUploadBytes } });
  const buffered = limitBody(deps.maxUploadBytes, tooLarge);
  // NDJSON streams: only a declared length is checked up front, the reader counts the rest as it goes.
  const limitUploadBody: MiddlewareHandler = async (context, next) => {
    if (!context.req.header("content-type")?.toLowerCase().startsWith(NDJSON)) return buffered(context, next);
    const declared = Number(context.req.header("content-length") ?? Number.NaN);
    if (declared > deps.maxUploadBytes) throw tooLarge();
    await next();
  };
  const readOptions = { maxFiles: deps.maxFilesPerRequest, maxDocuments: deps.maxDocumentsPerRequest, maxBytes: deps.maxUploadBytes };
  const submit = async (tenant: string, upload: Upload, mode: "create" | "replace", kind: UploadBatch["kind"] = upload.kind) => {
    deps.metrics?.uploadsInFlight.inc();
    try {
      const onItem = (outcome: string) => deps.metrics?.uploadItems.inc({ outcome });
      return await submitUploadBatch({ ...deps, onItem }, { tenant, kind, mode, entries: upload.entries });
    } finally {
      deps.metrics?.uploadsInFlight.dec();
    }
  };

  // Upload bodies are read by readUploads (415 for other types), so they are described, not validated, here.
  const uploadBody = {
    required: true,
    content: {
      "application/json": {
        schema: describedSchema(
          routes,
          "DocumentTextUpload",
          z.union([jsonUploadSchema, jsonBulkUploadSchema]).openapi({ description: "One document, or `documents`", example: uploadTextExample }),
        ),
      },
      [NDJSON]: {
        schema: describedSchema(
          routes,
          "DocumentStreamUpload",
          z.string().openapi({ description: "One DocumentTextUpload object per line, read and stored as it streams; a bad line refuses only that item" }),
        ),
      },
      "multipart/form-data": { schema: describedSchema(routes, "DocumentFileUpload", multipartUploadSchema) },
    },
  };
  const accepted = {
    200: {
      description: "Every item was already there with the same content, title and metadata: nothing queued",
      content: jsonContent(acceptedDocumentsSchema),
    },
    202: {
      description: "Stored and queued for indexing (items refused on their own are listed with the reason); follow `batch_url` or each `status_url`",
      content: jsonContent(acceptedDocumentsSchema),
    },
  };

  const upload = createRoute({
    method: "post",
    path: "/",
    tags: ["documents"],
    summary: "Upload documents: JSON text, a JSON bulk of up to upload.maxDocumentsPerRequest, NDJSON streamed, or files as multipart",
    middleware: [limitUploadBody],
    request: { body: uploadBody },
    responses: { ...accepted, ...errorResponses(400, 401, 409, 413, 415, 422) },
  });
  routes.openapi(upload, async (context) => {
    const submitted = await submit(context.get("tenant"), await readUploads(context, readOptions), "create");
    const body = uploadResultJson(submitted);
    return uploadStatus(submitted) === 200 ? context.json(body, 200) : context.json(body, 202);
  });

  const replace = createRoute({
    method: "put",
    path: "/{id}",
    tags: ["documents"],
    summary: "Create or replace the document with this id (a new revision; without a title it is titled anew from the new content or file name)",
    middleware: [limitUploadBody],
    request: { params: idParamsSchema, body: uploadBody },
    responses: { ...accepted, ...errorResponses(400, 401, 413, 415) },
  });
  routes.openapi(replace, async (context) => {
    const { id } = context.req.valid("param");
    const read = await readUploads(context, { ...readOptions, maxFiles: 1 });
    if (read.kind === "ndjson") throw new ValidationError("one document only", [{ path: "", message: "PUT takes one document: JSON or one file" }]);
    const entries = [...(read.entries as Iterable<UploadEntry>)];
    const [entry] = entries;
    if (!entry || entries.length > 1) throw new ValidationError("one document only", [{ path: "documents", message: "PUT takes one document" }]);
    if (entry.item?.externalId != null && entry.item.externalId !== id)
      throw new ValidationError("id mismatch", [{ path: "id", message: "must match the id in the path" }]);
    const item = entry.item ? { ...entry.item, externalId: id } : undefined;
    const submitted = await submit(context.get("tenant"), { kind: read.kind, entries: [{ ...entry, item }] }, "replace", "replace");
    const body = uploadResultJson(submitted);
    return uploadStatus(submitted) === 200 ? context.json(body, 200) : context.json(body, 202);
  });

  const patch = createRoute({
    method: "patch",
    path: "/{id}",
    tags: ["documents"],
    summary: "Change a document's title and/or metadata without uploading it again",
    request: { params: idParamsSchema, body: { required: true, content: jsonContent(documentDetailsPatchSchema) } },
    responses: {
      200: { description: "Changed in place (metadata), or nothing to change", content: jsonContent(documentSchema) },
      202: {
        description: "A new title: the chunks are being rewritten with it (a new revision of the same content, `job_id`)",
        content: jsonContent(documentSchema),
      },
      ...errorResponses(400, 401, 404, 409),
    },
  });
  routes.openapi(patch, async (context) => {
    const { id } = context.req.valid("param");
    const { title, metadata } = context.req.valid("json");
    const { record, reindexing } = await updateDocumentDetails(deps, { tenant: context.get("tenant"), documentId: id, title, metadata });
    return reindexing ? context.json(documentJson(record), 202) : context.json(documentJson(record), 200);
  });

  const list = createRoute({
    method: "get",
    path: "/",
    tags: ["documents"],
    summary: "List documents, newest first, page by page",
    request: { query: listQuerySchema },
    responses: { 200: { description: "One page of documents", content: jsonContent(documentPageSchema) }, ...errorResponses(400, 401) },
  });
  routes.openapi(list, async (context) => {
    const query = context.req.valid("query");
    const page = await deps.documents.list(context.get("tenant"), { limit: query.limit, cursor: query.cursor });
    return context.json({ documents: page.items.map(documentJson), next_cursor: page.nextCursor }, 200);
  });

  const read = createRoute({
    method: "get",
    path: "/{id}",
    tags: ["documents"],
    summary: "A document with its status and its current revision's job",
    request: { params: idParamsSchema },
    responses: { 200: { description: "The document", content: jsonContent(documentWithJobSchema) }, ...errorResponses(400, 401, 404) },
  });
  routes.openapi(read, async (context) => {
    const { id } = context.req.valid("param");
    const record = await deps.documents.get(context.get("tenant"), id);
    if (!record) throw new NotFoundError(`document ${id} not found`);
    // The current revision's job carries attempts and progress; finished jobs may have been pruned.
    const job = await deps.queue.get(record.jobId);
    return context.json({ ...documentJson(record), job: job ? jobJson(job) : null }, 200);
  });

  const remove = createRoute({
    method: "delete",
    path: "/{id}",
    tags: ["documents"],
    summary: "Delete a document, its chunks and its stored bytes",
    request: { params: idParamsSchema },
    responses: { 204: { description: "Deleted" }, ...errorResponses(400, 401, 404) },
  });
  routes.openapi(remove, async (context) => {
    await deleteDocument(deps, { tenant: context.get("tenant"), documentId: context.req.valid("param").id });
    return context.body(null, 204);
  });

  return routes;
}
