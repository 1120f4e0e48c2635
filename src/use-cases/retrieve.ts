import type { EmbeddingCache } from "./embedding-cache.js";
import { AppError } from "../core/errors.js";
import { lexicalQueryText, rankCandidates, type Ranked } from "../core/ranking/rank-candidates.js";
import type { Candidate, SearchFilter, SearchHit, VectorStore } from "../ports/vector-store.js";
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
 * store for its dense and lexical candidate lists (`candidateK` each), then ranks them in the core:
 * reciprocal rank fusion, the absolute threshold on dense similarity, top-k and the cut list.
 * A store that fails or is unreachable is not an error here: the result says `unavailable` so the
 * caller can take the documented fallback. Bad requests (ValidationError…) stay errors.
 */
export async function retrieveChunks(
  deps: RetrieveDeps,
  input: { tenant: string; question: string; thresholds: RetrievalThresholds; filter?: SearchFilter; signal?: AbortSignal },
): Promise<Retrieval> {
  const { thresholds } = input;
  const [dense] = await deps.embeddings.embed([input.question], { signal: input.signal, tenant: input.tenant });
  try {
    const lists = await deps.store.candidates({
      tenant: input.tenant,
      dense: dense as number[],
      text: lexicalQueryText(input.question),
      limit: thresholds.candidateK,
      filter: input.filter,
    });
    const ranked = rankCandidates(lists, thresholds);
    const hits = ranked.hits.map(toSearchHit);
    return { status: hits.length > 0 ? "ok" : "empty", hits, cut: ranked.cut.map(toSearchHit), thresholds };
  } catch (error) {
    // Bad requests stay errors; only an unreachable, failing or timed-out store takes the fallback.
    if (error instanceof AppError && !error.transient) throw error;
    deps.logger?.warn({ error: (error as Error).message, store: deps.store.kind }, "vector store unavailable; answering without retrieval");
    return { status: "unavailable", hits: [], cut: [], thresholds, reason: "the document store could not be reached" };
  }
}

function toSearchHit({ candidate, scores }: Ranked<Candidate>): SearchHit {
  return { id: candidate.id, tenant: candidate.tenant, text: candidate.text, metadata: candidate.metadata, scores };
}
