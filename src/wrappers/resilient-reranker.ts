import type { ResiliencePolicy } from "./resilience-policy.js";
import type { Reranker } from "../ports/reranker.js";
import { wrapPort } from "./wrap-port.js";

/**
 * Runs every `rerank` call of `reranker` under `policy` (timeout per attempt, retries honouring
 * Retry-After, breaker). The caller's signal cancels the whole call; each attempt gets the policy's
 * own signal. `onError` sees the final error of each failed call before it is rethrown.
 */
export function createResilientReranker(reranker: Reranker, policy: ResiliencePolicy, options: { onError?: (error: unknown) => void } = {}): Reranker {
  return wrapPort(reranker, {
    rerank:
      (next) =>
      async (query, documents, rerankOptions = {}) => {
        try {
          return await policy.execute((signal) => next(query, documents, { signal, tenant: rerankOptions.tenant }), rerankOptions.signal);
        } catch (error) {
          options.onError?.(error);
          throw error;
        }
      },
  });
}
