import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { PayloadTooLargeError, ValidationError, NotFoundError } from "../../core/errors.js";
import type { BlobStore, DocumentRepository } from "../../ports/document-repository.js";
import type { VectorStore } from "../../ports/vector-store.js";
import { deleteDocument } from "../../use-cases/delete-document.js";
import { submitDocument, type SubmitDocumentDeps, type SubmittedDocument } from "../../use-cases/submit-document.js";
import type { AppEnv } from "../app-env.js";
import { acceptedDocumentsSchema, documentPageSchema, documentWithJobSchema } from "../document-schemas.js";
import { validationHook } from "../openapi-hook.js";
import { describedSchema, errorResponses, jsonContent } from "../openapi-schemas.js";
import { documentIdSchema, jsonUploadSchema, multipartUploadSchema, readUploads } from "../read-uploads.js";
import { limitBody } from "../request-body.js";
import { documentJson, jobJson } from "../serialize.js";

export interface DocumentRoutesDeps extends SubmitDocumentDeps {
  documents: DocumentRepository;
  blobs: BlobStore;
  store: VectorStore;
  maxUploadBytes: number;
  maxFilesPerRequest: number;
}

const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional().openapi({ description: "`next_cursor` of the previous page" }),
});

const idParamsSchema = z.object({ id: documentIdSchema });

function acceptedJson({ record, duplicate }: SubmittedDocument) {
  return { id: record.id, job_id: record.jobId, status: record.status, duplicate, status_url: `/v1/documents/${encodeURIComponent(record.id)}` };
}

/** `/v1/documents`: upload (202 queued / 200 duplicate), replace, list, read, delete. */
export function documentRoutes(deps: DocumentRoutesDeps): OpenAPIHono<AppEnv> {
  const routes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const limitUploadBody = limitBody(
    deps.maxUploadBytes,
    () => new PayloadTooLargeError(`request body exceeds upload.maxBytes (${deps.maxUploadBytes} bytes)`, { details: { max_bytes: deps.maxUploadBytes } }),
  );
  // Upload bodies are read by readUploads (JSON or multipart, 415 otherwise), so they are described, not validated, here.
  const uploadBody = {
    required: true,
    content: {
      "application/json": { schema: describedSchema(routes, "DocumentTextUpload", jsonUploadSchema) },
      "multipart/form-data": { schema: describedSchema(routes, "DocumentFileUpload", multipartUploadSchema) },
    },
  };
  const accepted = {
    200: { description: "Every upload was already there with the same content: nothing queued", content: jsonContent(acceptedDocumentsSchema) },
    202: { description: "Queued for indexing; poll `status_url`", content: jsonContent(acceptedDocumentsSchema) },
  };

  const upload = createRoute({
    method: "post",
    path: "/",
    tags: ["documents"],
    summary: "Upload documents (JSON text, or one or more files as multipart)",
    middleware: [limitUploadBody],
    request: { body: uploadBody },
    responses: { ...accepted, ...errorResponses(400, 401, 409, 413, 415) },
  });
  routes.openapi(upload, async (context) => {
    const tenant = context.get("tenant");
    const items = await readUploads(context, { maxFiles: deps.maxFilesPerRequest });
    const results: SubmittedDocument[] = [];
    for (const item of items) results.push(await submitDocument(deps, { tenant, item, mode: "create" }));
    const body = { documents: results.map(acceptedJson) };
    return results.every((result) => result.duplicate) ? context.json(body, 200) : context.json(body, 202);
  });

  const replace = createRoute({
    method: "put",
    path: "/{id}",
    tags: ["documents"],
    summary: "Create or replace the document with this id (a new revision)",
    middleware: [limitUploadBody],
    request: { params: idParamsSchema, body: uploadBody },
    responses: { ...accepted, ...errorResponses(400, 401, 413, 415) },
  });
  routes.openapi(replace, async (context) => {
    const { id } = context.req.valid("param");
    const [item] = await readUploads(context, { maxFiles: 1 });
    if (!item) throw new ValidationError("no content", [{ path: "file", message: "one file or text is required" }]);
    if (item.externalId !== null && item.externalId !== id)
      throw new ValidationError("id mismatch", [{ path: "id", message: "must match the id in the path" }]);
    const submitted = await submitDocument(deps, { tenant: context.get("tenant"), item: { ...item, externalId: id }, mode: "replace" });
    const body = { documents: [acceptedJson(submitted)] };
    return submitted.duplicate ? context.json(body, 200) : context.json(body, 202);
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
