import { ConflictError, UpstreamUnavailableError } from "../core/errors.js";
import { wrapPort } from "./wrap-port.js";
import type { VectorStore } from "../ports/vector-store.js";
import { type Logger } from "../ports/logger.js";

export interface CollectionEnsuringStore {
  /** The wrapped store: every data call first makes sure the collection exists. */
  store: VectorStore;
  /** First attempt at start: resolves whether or not the store is reachable; throws only on a conflict. */
  ensureAtStart(): Promise<void>;
}

/**
 * Lets the service start while the vector store is down: `ensureCollection` is retried on use
 * (at most once per `retryIntervalMs`) until it succeeds, and until then `upsert`, `deleteDocument`,
 * `candidates` and `count` fail with UpstreamUnavailableError — which queries turn into the
 * no-retrieval fallback and ingest jobs retry — and `health()` reports the store down. A model/dimension
 * mismatch (ConflictError) is never retried: the composition root checks at start and refuses to run.
 */
export function createCollectionEnsuringStore(
  inner: VectorStore,
  collection: { dimension: number; model: string },
  options: { retryIntervalMs?: number; logger?: Logger } = {},
): CollectionEnsuringStore {
  let ensured = false;
  let lastAttempt = 0;
  let lastError: string | null = null;
  let inFlight: Promise<void> | null = null;

  const ensure = (force = false): Promise<void> => {
    if (ensured) return Promise.resolve();
    if (!force && !inFlight && Date.now() - lastAttempt < (options.retryIntervalMs ?? 2_000)) {
      return Promise.reject(new UpstreamUnavailableError(`vector store unavailable: ${lastError ?? "collection not ready"}`, { retryAfterSeconds: 2 }));
    }
    inFlight ??= (async () => {
      lastAttempt = Date.now();
      try {
        await inner.ensureCollection(collection);
        ensured = true;
        lastError = null;
        options.logger?.info({ store: inner.kind }, "vector store collection ready");
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
        throw error instanceof ConflictError || error instanceof UpstreamUnavailableError
          ? error
          : new UpstreamUnavailableError(`vector store unavailable: ${lastError}`, { cause: error });
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };

  const afterEnsure =
    <A extends unknown[], R>(next: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await ensure();
      return next(...args);
    };

  const store = wrapPort(inner, {
    upsert: afterEnsure,
    deleteDocument: afterEnsure,
    candidates: afterEnsure,
    count: afterEnsure,
    health: (next) => async () => {
      if (!ensured) {
        await ensure().catch(() => undefined);
        if (!ensured) return { status: "down", detail: `collection not ready: ${lastError ?? "not created yet"}` };
      }
      return next();
    },
  });

  return {
    store,
    async ensureAtStart() {
      try {
        await ensure(true);
      } catch (error) {
        if (error instanceof ConflictError) throw error;
        options.logger?.warn({ store: inner.kind, error: lastError }, "vector store unavailable at start; serving the fallback until it is back");
      }
    },
  };
}
