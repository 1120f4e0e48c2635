import { ConflictError, UpstreamUnavailableError } from "../core/errors.js";
import type { ChunkPoint, SearchRequest, SearchResult, StoreHealth, VectorStore } from "../ports/vector-store.js";
import { type Logger } from "../ports/logger.js";

/**
 * Lets the service start while the vector store is down: `ensureCollection` is retried on use
 * (at most once per `retryIntervalMs`) until it succeeds, and until then every call fails with
 * UpstreamUnavailableError — which queries turn into the no-retrieval fallback and ingest jobs
 * retry — and `health()` reports the store down. A model/dimension mismatch (ConflictError) is
 * never retried: the composition root checks at start and refuses to run.
 */
export class CollectionEnsuringStore implements VectorStore {
  private ensured = false;
  private lastAttempt = 0;
  private lastError: string | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly inner: VectorStore,
    private readonly collection: { dimension: number; model: string },
    private readonly options: { retryIntervalMs?: number; logger?: Logger } = {},
  ) {}

  get kind(): string {
    return this.inner.kind;
  }

  /** First attempt at start: resolves whether or not the store is reachable; throws only on a conflict. */
  async ensureAtStart(): Promise<void> {
    try {
      await this.ensure(true);
    } catch (error) {
      if (error instanceof ConflictError) throw error;
      this.options.logger?.warn({ store: this.inner.kind, error: this.lastError }, "vector store unavailable at start; serving the fallback until it is back");
    }
  }

  async ensureCollection(options: { dimension: number; model: string }): Promise<void> {
    await this.inner.ensureCollection(options);
  }

  async upsert(points: ChunkPoint[]): Promise<void> {
    await this.ensure();
    return this.inner.upsert(points);
  }

  async deleteDocument(tenant: string, documentId: string, options?: { fromChunkIndex?: number }): Promise<void> {
    await this.ensure();
    return this.inner.deleteDocument(tenant, documentId, options);
  }

  async search(request: SearchRequest): Promise<SearchResult> {
    await this.ensure();
    return this.inner.search(request);
  }

  async count(tenant: string, documentId?: string): Promise<number> {
    await this.ensure();
    return this.inner.count(tenant, documentId);
  }

  async health(): Promise<StoreHealth> {
    if (!this.ensured) {
      await this.ensure().catch(() => undefined);
      if (!this.ensured) return { status: "down", detail: `collection not ready: ${this.lastError ?? "not created yet"}` };
    }
    return this.inner.health();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async ensure(force = false): Promise<void> {
    if (this.ensured) return;
    const now = Date.now();
    if (!force && !this.inFlight && now - this.lastAttempt < (this.options.retryIntervalMs ?? 2_000)) {
      throw new UpstreamUnavailableError(`vector store unavailable: ${this.lastError ?? "collection not ready"}`, { retryAfterSeconds: 2 });
    }
    this.inFlight ??= (async () => {
      this.lastAttempt = Date.now();
      try {
        await this.inner.ensureCollection(this.collection);
        this.ensured = true;
        this.lastError = null;
        this.options.logger?.info({ store: this.inner.kind }, "vector store collection ready");
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        throw error instanceof ConflictError || error instanceof UpstreamUnavailableError
          ? error
          : new UpstreamUnavailableError(`vector store unavailable: ${this.lastError}`, { cause: error });
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }
}
