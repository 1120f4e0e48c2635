import type { EmbeddingCache } from "./embedding-cache.js";
import { AppError } from "../core/errors.js";
import type { SearchFilter, SearchHit, VectorStore } from "../ports/vector-store.js";
import { type Logger } from "../ports/logger.js";

export type RetrievalStatus = "ok" | "empty" | "unavailable";

export interface RetrievalThresholds {
  topK: number;
  candidateK: number;
  minScore: number;
}

export interface Retrieval {
  status: RetrievalStatus;
  hits: SearchHit[];
  /** Candidates the threshold removed (for `explain`). */
  cut: SearchHit[];
  thresholds: RetrievalThresholds;
  /** Why retrieval was unavailable; safe to show (no internals). */
  reason?: string;
}

export interface RetrieveDeps {
  embeddings: EmbeddingCache;
  store: VectorStore;
  logger?: Logger;
}

/**
 * Hybrid top-k retrieval for one tenant: embeds the question through the embedding cache, asks the
 * store for dense + lexical candidates fused by rank, thresholded on absolute dense similarity.
 * A store that fails or is unreachable is not an error here: the result says `unavailable` so the
 * caller can take the documented fallback.
 */
export async function retrieveChunks(
  deps: RetrieveDeps,
  input: { tenant: string; question: string; thresholds: RetrievalThresholds; filter?: SearchFilter; signal?: AbortSignal },
): Promise<Retrieval> {
  const { thresholds } = input;
  const [dense] = await deps.embeddings.embed([input.question], { signal: input.signal, tenant: input.tenant });
  try {
    const result = await deps.store.search({
      tenant: input.tenant,
      dense: dense as number[],
      text: input.question,
      topK: thresholds.topK,
      candidateK: thresholds.candidateK,
      minScore: thresholds.minScore,
      filter: input.filter,
    });
    return { status: result.hits.length > 0 ? "ok" : "empty", hits: result.hits, cut: result.cut, thresholds };
  } catch (error) {
    // Bad requests stay errors; only an unreachable, failing or timed-out store takes the fallback.
    if (error instanceof AppError && !error.transient) throw error;
    deps.logger?.warn({ error: (error as Error).message, store: deps.store.kind }, "vector store unavailable; answering without retrieval");
    return { status: "unavailable", hits: [], cut: [], thresholds, reason: "the document store could not be reached" };
  }
}
