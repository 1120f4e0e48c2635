import { Hono } from "hono";
import { z } from "zod";
import { NotFoundError, PayloadTooLargeError, ValidationError } from "../../core/errors.js";
import type { BlobStore, DocumentRepository } from "../../ports/document-repository.js";
import { blobKeyFor, submitDocument, type SubmitDocumentDeps, type SubmittedDocument } from "../../use-cases/submit-document.js";
import type { VectorStore } from "../../ports/vector-store.js";
import type { AppEnv } from "../app-env.js";
import { documentIdSchema, readUploads } from "../read-uploads.js";
import { limitBody } from "../request-body.js";
import { documentJson, jobJson } from "../serialize.js";
import { parseWith } from "../validate.js";

export interface DocumentRoutesDeps extends SubmitDocumentDeps {
  documents: DocumentRepository;
  blobs: BlobStore;
  store: VectorStore;
  maxUploadBytes: number;
  maxFilesPerRequest: number;
}

const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
});

/** `/v1/documents`: upload (202 queued / 200 duplicate), replace, list, read, delete. */
export function documentRoutes(deps: DocumentRoutesDeps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const limitUploadBody = limitBody(
    deps.maxUploadBytes,
    () => new PayloadTooLargeError(`request body exceeds upload.maxBytes (${deps.maxUploadBytes} bytes)`, { details: { max_bytes: deps.maxUploadBytes } }),
  );
  const acceptedJson = ({ record, duplicate }: SubmittedDocument) => ({
    id: record.id,
    job_id: record.jobId,
    status: record.status,
    duplicate,
    status_url: `/v1/documents/${encodeURIComponent(record.id)}`,
  });

  routes.post("/", limitUploadBody, async (context) => {
    const tenant = context.get("tenant");
    const items = await readUploads(context, { maxFiles: deps.maxFilesPerRequest });
    const results = [];
    for (const item of items) results.push(await submitDocument(deps, { tenant, item, mode: "create" }));
    return context.json({ documents: results.map(acceptedJson) }, results.every((result) => result.duplicate) ? 200 : 202);
  });

  routes.put("/:id", limitUploadBody, async (context) => {
    const tenant = context.get("tenant");
    const id = parseWith(documentIdSchema, context.req.param("id"), "invalid document id");
    const items = await readUploads(context, { maxFiles: 1 });
    const item = items[0];
    if (!item) throw new ValidationError("no content", [{ path: "file", message: "one file or text is required" }]);
    if (item.externalId !== null && item.externalId !== id)
      throw new ValidationError("id mismatch", [{ path: "id", message: "must match the id in the path" }]);
    const submitted = await submitDocument(deps, { tenant, item: { ...item, externalId: id }, mode: "replace" });
    return context.json({ documents: [acceptedJson(submitted)] }, submitted.duplicate ? 200 : 202);
  });

  routes.get("/", async (context) => {
    const query = parseWith(listQuerySchema, context.req.query(), "invalid query parameters");
    const page = await deps.documents.list(context.get("tenant"), { limit: query.limit, cursor: query.cursor });
    return context.json({ documents: page.items.map(documentJson), next_cursor: page.nextCursor });
  });

  routes.get("/:id", async (context) => {
    const record = await deps.documents.get(context.get("tenant"), context.req.param("id"));
    if (!record) throw new NotFoundError(`document ${context.req.param("id")} not found`);
    // The current revision's job carries attempts and progress; finished jobs may have been pruned.
    const job = await deps.queue.get(record.jobId);
    return context.json({ ...documentJson(record), job: job ? jobJson(job) : null });
  });

  routes.delete("/:id", async (context) => {
    const tenant = context.get("tenant");
    const id = context.req.param("id");
    const removed = await deps.locks.run(`${tenant}\u0000${id}`, async () => {
      const record = await deps.documents.get(tenant, id);
      if (!record) return false;
      // Chunks go first: a crash after this leaves a record to delete again, never orphaned chunks.
      await deps.store.deleteDocument(tenant, id);
      await deps.documents.delete(tenant, id);
      await deps.blobs.delete(blobKeyFor(tenant, id, record.revision));
      return true;
    });
    if (!removed) throw new NotFoundError(`document ${id} not found`);
    return context.body(null, 204);
  });

  return routes;
}
