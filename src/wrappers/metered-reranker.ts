import type { Reranker } from "../ports/reranker.js";
import { wrapPort } from "./wrap-port.js";

/** One rerank call as it is accounted (the composition root turns it into a ModelCall). */
export interface RerankCall {
  model: string;
  tenant: string;
  documents: number;
  /** Tokens the server reported, null when it reported none. */
  inputTokens: number | null;
  /** The whole call, retries included. */
  latencyMs: number;
  outcome: "ok" | "error";
}

/**
 * Reports every `rerank` call that reaches the reranker (put it inside the cache, so cache hits are
 * not calls) with its latency, tokens and outcome; a caller's abort is not reported.
 */
export function createMeteredReranker(reranker: Reranker, onCall: (call: RerankCall) => void): Reranker {
  return wrapPort(reranker, {
    rerank:
      (next) =>
      async (query, documents, options = {}) => {
        const started = performance.now();
        const report = (outcome: RerankCall["outcome"], inputTokens: number | null) =>
          onCall({
            model: reranker.modelId,
            tenant: options.tenant ?? "-",
            documents: documents.length,
            inputTokens,
            latencyMs: performance.now() - started,
            outcome,
          });
        try {
          const result = await next(query, documents, options);
          if (documents.length > 0) report("ok", result.usage.inputTokens);
          return result;
        } catch (error) {
          if (!options.signal?.aborted) report("error", null);
          throw error;
        }
      },
  });
}
