import type { Reranker } from "../ports/reranker.js";
import type { Tracer } from "../ports/tracer.js";
import { modelSpan } from "./model-span.js";
import { wrapPort } from "./wrap-port.js";

/**
 * Each `rerank` call in a span `rerank <model>` (documents, tenant, input tokens when reported,
 * outcome). Put it inside the score cache, so cache hits are not model calls. With tracing off the
 * reranker is returned as it is.
 */
export function createTracedReranker(reranker: Reranker, tracer: Tracer | undefined): Reranker {
  if (!tracer?.enabled) return reranker;
  return wrapPort(reranker, {
    rerank:
      (next) =>
      (query, documents, options = {}) =>
        modelSpan(
          tracer,
          {
            operation: "rerank",
            model: reranker.modelId,
            attributes: { "ragline.rerank.documents": documents.length, "ragline.tenant": options.tenant },
            signal: options.signal,
          },
          () => next(query, documents, options),
          (result) => ({ "gen_ai.usage.input_tokens": result.usage.inputTokens ?? undefined }),
        ),
  });
}
