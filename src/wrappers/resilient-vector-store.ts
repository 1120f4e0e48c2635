import type { ChunkPoint, SearchRequest, SearchResult, StoreHealth, VectorStore } from "../ports/vector-store.js";
import type { ResiliencePolicy } from "./resilience-policy.js";

/**
 * Puts the query path's store calls (`search`) under a policy: a hanging store times out
 * (store.timeoutMs) and repeated failures open the breaker, so queries fail fast to the
 * no-retrieval fallback instead of waiting. Writes keep the adapter's own behaviour (ingest jobs
 * have their own retries); `health` reports the breaker when it is open.
 */
export class ResilientVectorStore implements VectorStore {
  constructor(
    private readonly inner: VectorStore,
    readonly policy: ResiliencePolicy,
  ) {}

  get kind(): string {
    return this.inner.kind;
  }

  ensureCollection(options: { dimension: number; model: string }): Promise<void> {
    return this.inner.ensureCollection(options);
  }
  upsert(points: ChunkPoint[]): Promise<void> {
    return this.inner.upsert(points);
  }
  deleteDocument(tenant: string, documentId: string, options?: { fromChunkIndex?: number }): Promise<void> {
    return this.inner.deleteDocument(tenant, documentId, options);
  }
  count(tenant: string, documentId?: string): Promise<number> {
    return this.inner.count(tenant, documentId);
  }
  search(request: SearchRequest): Promise<SearchResult> {
    return this.policy.execute(() => this.inner.search(request));
  }
  async health(): Promise<StoreHealth> {
    const health = await this.inner.health();
    if (health.status === "up" && this.policy.breakerState === "open") return { status: "down", detail: "circuit open after repeated search failures" };
    return health;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
