import { reciprocalRankFusion } from "../../../core/ranking/reciprocal-rank-fusion.js";
import type { ChunkMetadata, HitScores, SearchHit, SearchRequest, SearchResult } from "../../../ports/vector-store.js";

// The engine-independent half of a hybrid search, shared by the LanceDB path and the in-memory mirror
// path: thresholding, fusion and the cut, then turning the selected ids into hits.

/** Longest query text sent to the full-text side; longer questions are cut (BM25 gains nothing from more). */
const MAX_LEXICAL_QUERY_CHARACTERS = 2_000;

/** The request's text as sent to the full-text side; empty means no lexical side. */
export function lexicalQueryText(request: SearchRequest): string {
  return (request.text ?? "").trim().slice(0, MAX_LEXICAL_QUERY_CHARACTERS);
}

export interface HybridCandidates {
  /** Dense candidate ids, as the dense side listed them. */
  denseIds: string[];
  /** Exact cosine similarity of every candidate, dense and lexical. */
  denseById: Map<string, number>;
  /** BM25 score of every lexical candidate. */
  textById: Map<string, number>;
}

export interface ScoredCandidate {
  id: string;
  scores: HitScores;
}

/**
 * Candidates with dense >= minScore fused by RRF over their ranks in the two lists, best fused first
 * (at most topK); the rest in `cut`, best dense first (at most candidateK).
 */
export function fuseAndThreshold(
  candidates: HybridCandidates,
  request: Pick<SearchRequest, "minScore" | "topK" | "candidateK">,
  rrfK: number,
): { hits: ScoredCandidate[]; cut: ScoredCandidate[] } {
  const { denseById, textById } = candidates;
  // Both lists arrive ordered; sorting again keeps ties and refined ANN results in a defined order.
  const denseIds = [...candidates.denseIds].sort((a, b) => denseById.get(b)! - denseById.get(a)!);
  const lexicalIds = [...textById.keys()].sort((a, b) => textById.get(b)! - textById.get(a)!);
  const fused = reciprocalRankFusion([denseIds, lexicalIds], { k: rrfK });

  const hits: ScoredCandidate[] = [];
  const cut: ScoredCandidate[] = [];
  for (const item of fused) {
    const dense = denseById.get(item.key)!;
    const scores: HitScores = {
      dense,
      text: textById.get(item.key) ?? null,
      denseRank: item.ranks[0] ?? null,
      textRank: item.ranks[1] ?? null,
      fused: item.score,
    };
    (dense >= request.minScore ? hits : cut).push({ id: item.key, scores });
  }
  cut.sort((a, b) => b.scores.dense - a.scores.dense);
  return { hits: hits.slice(0, request.topK), cut: cut.slice(0, request.candidateK) };
}

/** Hits and cut for the selected candidates; a candidate `payloadOf` cannot find (deleted meanwhile) is left out. */
export function toSearchResult(
  tenant: string,
  selected: { hits: ScoredCandidate[]; cut: ScoredCandidate[] },
  payloadOf: (id: string) => { text: string; metadata: ChunkMetadata } | undefined,
): SearchResult {
  const toHits = (entries: ScoredCandidate[]): SearchHit[] =>
    entries.flatMap(({ id, scores }) => {
      const payload = payloadOf(id);
      return payload ? [{ id, tenant, text: payload.text, metadata: payload.metadata, scores }] : [];
    });
  return { hits: toHits(selected.hits), cut: toHits(selected.cut) };
}
