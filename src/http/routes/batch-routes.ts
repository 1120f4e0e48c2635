import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { DocumentRepository } from "../../ports/document-repository.js";
import { getUploadBatch } from "../../use-cases/get-upload-batch.js";
import type { AppEnv } from "../app-env.js";
import { batchSchema } from "../document-schemas.js";
import { validationHook } from "../openapi-hook.js";
import { errorResponses, jsonContent } from "../openapi-schemas.js";

const paramsSchema = z.object({ id: z.string().min(1).max(128) });
const querySchema = z.object({
  failures_limit: z.coerce.number().int().min(0).max(1000).default(100).openapi({ description: "Most failures listed (all are counted)" }),
});

/** `/v1/batches/{id}`: an upload's items by outcome and by the state of their documents, its progress and its failures. Another tenant's batch is 404. */
export function batchRoutes(deps: { documents: DocumentRepository }): OpenAPIHono<AppEnv> {
  const routes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const read = createRoute({
    method: "get",
    path: "/{id}",
    tags: ["batches"],
    summary: "An upload batch: counts by outcome and document state, progress, failures with names and reasons",
    request: { params: paramsSchema, query: querySchema },
    responses: { 200: { description: "The batch", content: jsonContent(batchSchema) }, ...errorResponses(400, 401, 404) },
  });
  routes.openapi(read, async (context) => {
    const { id } = context.req.valid("param");
    const { failures_limit: failureLimit } = context.req.valid("query");
    const batch = await getUploadBatch(deps, { tenant: context.get("tenant"), batchId: id, failureLimit });
    const items = Object.values(batch.outcomes).reduce((sum, count) => sum + count, 0);
    return context.json(
      {
        id: batch.batch.id,
        kind: batch.batch.kind,
        created_at: batch.batch.createdAt,
        received_at: batch.batch.receivedAt,
        items,
        counts: batch.outcomes,
        documents: batch.documents,
        progress: batch.progress,
        done: batch.done,
        indexed_chunks: batch.indexedChunks,
        failure_count: batch.failureCount,
        failures: batch.failures.map((failure) => ({
          index: failure.position,
          name: failure.name,
          document_id: failure.documentId,
          stage: failure.stage,
          reason: failure.reason,
        })),
      },
      200,
    );
  });
  return routes;
}
