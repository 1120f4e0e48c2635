import type { ResiliencePolicy } from "./resilience-policy.js";
import type { Embedder } from "../ports/embedder.js";
import { wrapPort } from "./wrap-port.js";

/**
 * Runs every `embed` call of `embedder` under `policy` (timeout per attempt, retries honouring
 * Retry-After, breaker). The caller's signal cancels the whole call; each attempt gets the policy's
 * own signal. `onError` sees the final error of each failed call before it is rethrown.
 */
export function createResilientEmbedder(embedder: Embedder, policy: ResiliencePolicy, options: { onError?: (error: unknown) => void } = {}): Embedder {
  return wrapPort(embedder, {
    embed:
      (next) =>
      async (texts, embedOptions = {}) => {
        try {
          return await policy.execute((signal) => next(texts, { signal, tenant: embedOptions.tenant }), embedOptions.signal);
        } catch (error) {
          options.onError?.(error);
          throw error;
        }
      },
  });
}
