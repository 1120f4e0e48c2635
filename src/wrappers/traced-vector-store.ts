import type { Tracer } from "../ports/tracer.js";
import type { VectorStore } from "../ports/vector-store.js";
import { wrapPort } from "./wrap-port.js";

/**
 * Each vector-store call (`candidates`, `upsert`, `deleteDocument`, `count`, `ensureCollection`) in a
 * client span `vector_store.<call>` with the engine (`db.system.name`), the tenant and sizes.
 * `health` is not traced (readiness probes every few seconds). With tracing off the store is
 * returned as it is.
 */
export function createTracedVectorStore(store: VectorStore, tracer: Tracer | undefined): VectorStore {
  if (!tracer?.enabled) return store;
  const client = { kind: "client" } as const;
  const engine = { "db.system.name": store.kind };
  return wrapPort(store, {
    candidates: (next) => (request) =>
      tracer.span(
        "vector_store.candidates",
        { ...engine, "ragline.tenant": request.tenant, "ragline.limit": request.limit, "ragline.filtered": request.filter !== undefined },
        async (span) => {
          const lists = await next(request);
          span.setAttributes({ "ragline.candidates.dense": lists.dense.length, "ragline.candidates.lexical": lists.lexical.length });
          return lists;
        },
        client,
      ),
    upsert: (next) => (points) => tracer.span("vector_store.upsert", { ...engine, "ragline.points": points.length }, () => next(points), client),
    deleteDocument: (next) => (tenant, documentId, options) =>
      tracer.span(
        "vector_store.delete_document",
        { ...engine, "ragline.tenant": tenant, "ragline.document_id": documentId, "ragline.from_chunk_index": options?.fromChunkIndex },
        () => next(tenant, documentId, options),
        client,
      ),
    count: (next) => (tenant, documentId) =>
      tracer.span("vector_store.count", { ...engine, "ragline.tenant": tenant, "ragline.document_id": documentId }, () => next(tenant, documentId), client),
    ensureCollection: (next) => (options) =>
      tracer.span("vector_store.ensure_collection", { ...engine, "ragline.dimension": options.dimension }, () => next(options), client),
  });
}
