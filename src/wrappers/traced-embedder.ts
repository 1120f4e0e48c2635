import type { Embedder } from "../ports/embedder.js";
import type { Tracer } from "../ports/tracer.js";
import { modelSpan } from "./model-span.js";
import { wrapPort } from "./wrap-port.js";

/**
 * Each `embed` call in a span `embeddings <model>` (texts sent, tenant, outcome). Put it where a call
 * is one request to the model (ingest: under the request packing; queries: over the coalescing).
 * With tracing off the embedder is returned as it is.
 */
export function createTracedEmbedder(embedder: Embedder, tracer: Tracer | undefined): Embedder {
  if (!tracer?.enabled) return embedder;
  return wrapPort(embedder, {
    embed:
      (next) =>
      (texts, options = {}) =>
        modelSpan(
          tracer,
          {
            operation: "embeddings",
            model: embedder.modelId,
            attributes: { "ragline.embedding.texts": texts.length, "ragline.tenant": options.tenant },
            signal: options.signal,
          },
          () => next(texts, options),
          (vectors) => ({ "gen_ai.embeddings.dimension.count": vectors[0]?.length }),
        ),
  });
}
