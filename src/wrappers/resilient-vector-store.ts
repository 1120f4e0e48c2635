import { wrapPort } from "./wrap-port.js";
import type { ResiliencePolicy } from "./resilience-policy.js";
import type { VectorStore } from "../ports/vector-store.js";

/**
 * Puts the query path's store calls (`candidates`) under a policy: a hanging store times out
 * (store.timeoutMs) and repeated failures open the breaker, so queries fail fast to the no-retrieval
 * fallback instead of waiting. Writes keep the adapter's own behaviour (ingest jobs have their own
 * retries). `health` always probes the store itself, also while the breaker is open: readiness must
 * not stay down until some query happens to close the breaker (a load balancer that stops routing
 * on 503 would never send that query); an open breaker is named in the detail.
 */
export function createResilientVectorStore(store: VectorStore, policy: ResiliencePolicy): VectorStore {
  return wrapPort(store, {
    candidates: (next) => (request) => policy.execute(() => next(request)),
    health: (next) => async () => {
      const health = await next();
      if (health.status === "up" && policy.breakerState === "open") {
        return { status: "up", detail: "the store answers its probe; searches fail fast until the circuit, open after repeated failures, half-opens" };
      }
      return health;
    },
  });
}
