import { wrapPort } from "./wrap-port.js";
import type { ResiliencePolicy } from "./resilience-policy.js";
import type { VectorStore } from "../ports/vector-store.js";

/**
 * Puts the query path's store calls (`candidates`) under a policy: a hanging store times out
 * (store.timeoutMs) and repeated failures open the breaker, so queries fail fast to the no-retrieval
 * fallback instead of waiting. Writes keep the adapter's own behaviour (ingest jobs have their own
 * retries); `health` reports the store down while the breaker is open.
 */
export function createResilientVectorStore(store: VectorStore, policy: ResiliencePolicy): VectorStore {
  return wrapPort(store, {
    candidates: (next) => (request) => policy.execute(() => next(request)),
    health: (next) => async () => {
      const health = await next();
      if (health.status === "up" && policy.breakerState === "open") return { status: "down", detail: "circuit open after repeated search failures" };
      return health;
    },
  });
}
