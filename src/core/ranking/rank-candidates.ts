import { DEFAULT_RECIPROCAL_RANK_FUSION_K, reciprocalRankFusion } from "./reciprocal-rank-fusion.js";

/** Longest query text the lexical side is given; longer questions are cut (BM25 gains nothing from more). */
export const MAX_LEXICAL_QUERY_CHARACTERS = 2_000;

/** The question as sent to the lexical retriever: trimmed and cut to MAX_LEXICAL_QUERY_CHARACTERS; "" means no lexical side. */
export function lexicalQueryText(text: string | undefined): string {
  return (text ?? "").trim().slice(0, MAX_LEXICAL_QUERY_CHARACTERS);
}

/** A candidate as a retriever listed it; `score` is the retriever's raw score (cosine or BM25). */
export interface RankableCandidate {
  id: string;
  score: number;
}

/** A lexical candidate with the exact dense cosine of the query and its stored vector. */
export interface RankableLexicalCandidate extends RankableCandidate {
  similarity: number;
}

export interface RankingScores {
  /** Exact cosine similarity in [-1, 1]: the thresholded score. */
  dense: number;
  /** BM25 score when the chunk was a lexical candidate, else null. */
  text: number | null;
  /** 1-based ranks in the dense and lexical lists (after sorting by their scores), null when absent. */
  denseRank: number | null;
  textRank: number | null;
  /** Reciprocal-rank-fusion score the hits are ordered by. */
  fused: number;
}

export interface RankingOptions {
  topK: number;
  /** Longest `cut` list. */
  candidateK: number;
  /** Absolute threshold on the dense cosine similarity. */
  minScore: number;
  /** Reciprocal-rank-fusion constant. Default 60. */
  rrfK?: number;
}

export interface Ranked<C> {
  candidate: C;
  scores: RankingScores;
}

/**
 * Fusion, threshold, top-k and the cut list, the same for every store.
 *
 * Contract: pure and deterministic. The dense list is ordered by similarity and the lexical list by
 * BM25 (both descending, stable, so equal scores keep the engine's order); an id repeated inside a
 * list counts at its first position. Every candidate's dense score is its dense-list score, or for a
 * lexical-only candidate its `similarity`. The lists are fused by reciprocal rank fusion; `hits` are
 * the fused candidates with dense >= minScore, best fused first, at most topK; `cut` holds the rest,
 * best dense first, at most candidateK. Each candidate object is returned as given (for a chunk in
 * both lists, the dense list's object).
 */
export function rankCandidates<D extends RankableCandidate, L extends RankableLexicalCandidate>(
  lists: { dense: readonly D[]; lexical: readonly L[] },
  options: RankingOptions,
): { hits: Array<Ranked<D | L>>; cut: Array<Ranked<D | L>> } {
  const byId = new Map<string, D | L>();
  const denseById = new Map<string, number>();
  for (const candidate of lists.dense) {
    if (denseById.has(candidate.id)) continue;
    denseById.set(candidate.id, candidate.score);
    byId.set(candidate.id, candidate);
  }
  const textById = new Map<string, number>();
  for (const candidate of lists.lexical) {
    if (textById.has(candidate.id)) continue;
    textById.set(candidate.id, candidate.score);
    if (denseById.has(candidate.id)) continue;
    denseById.set(candidate.id, candidate.similarity);
    byId.set(candidate.id, candidate);
  }

  const denseIds = [...new Set(lists.dense.map((candidate) => candidate.id))].sort((a, b) => denseById.get(b)! - denseById.get(a)!);
  const lexicalIds = [...textById.keys()].sort((a, b) => textById.get(b)! - textById.get(a)!);
  const fused = reciprocalRankFusion([denseIds, lexicalIds], { k: options.rrfK ?? DEFAULT_RECIPROCAL_RANK_FUSION_K });

  const hits: Array<Ranked<D | L>> = [];
  const cut: Array<Ranked<D | L>> = [];
  for (const item of fused) {
    const dense = denseById.get(item.key)!;
    const scores: RankingScores = {
      dense,
      text: textById.get(item.key) ?? null,
      denseRank: item.ranks[0] ?? null,
      textRank: item.ranks[1] ?? null,
      fused: item.score,
    };
    (dense >= options.minScore ? hits : cut).push({ candidate: byId.get(item.key)!, scores });
  }
  cut.sort((a, b) => b.scores.dense - a.scores.dense);
  return { hits: hits.slice(0, options.topK), cut: cut.slice(0, options.candidateK) };
}
