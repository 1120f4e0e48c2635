import { fuseLists, PLAIN_RRF, type FusionSettings } from "./fuse-lists.js";
import { calibratedRelevance, type RelevanceParts } from "./calibrated-relevance.js";
import { candidateTermSequence } from "./term-relevance.js";

export { RELEVANCE_DENSE_SHARE, type RelevanceParts } from "./calibrated-relevance.js";

/** Default threshold on `relevance` (config retrieval.minScore), chosen with the eval harness's off-topic questions. */
export const MIN_RELEVANCE_DEFAULT = 0.3;

/** A candidate as a retriever listed it; `score` is the retriever's raw score (cosine or BM25). Text and title feed the relevance. */
export interface RankableCandidate {
  id: string;
  score: number;
  text?: string;
  metadata?: { title?: string };
}

/** A lexical candidate with the exact dense cosine of the query and its stored vector. */
export interface RankableLexicalCandidate extends RankableCandidate {
  similarity: number;
}

export interface RankingScores {
  /** Exact cosine similarity in [-1, 1]. */
  dense: number;
  /** BM25 score when the chunk was a lexical candidate, else null. */
  text: number | null;
  /** 1-based ranks in the dense and lexical lists (after sorting by their scores), null when absent. */
  denseRank: number | null;
  textRank: number | null;
  /** Fusion score the hits are ordered by; comparable only within one query. */
  fused: number;
  /** Calibrated relevance in [0, 1] (see rankCandidates): the thresholded score. */
  relevance: number;
  /** What the relevance is made of (calibratedRelevance); absent when ranked without a question. */
  relevanceParts?: RelevanceParts;
}

export interface RankingOptions {
  topK: number;
  /** Longest `cut` list. */
  candidateK: number;
  /** Absolute threshold on `relevance`. */
  minScore: number;
  /** How the two lists are fused; default plain RRF (k 60). */
  fusion?: FusionSettings;
  /** The question the relevance is computed for; without it every relevance is the clamped dense cosine. */
  question?: string;
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
 * lexical-only candidate its `similarity`. The lists are fused as `options.fusion` says (fuseLists).
 * Each candidate's relevance is `calibratedRelevance` of the question over the pool of both lists
 * (coverage of the question's pool-IDF term weight by the candidate's title and text, its dense
 * cosine, and the share of the question's names and numbers the pool mentions; `relevanceParts`
 * holds the three): absolute for the query, never normalised over the list. Without a question the
 * relevance is the dense cosine clamped to [0, 1].
 * `hits` are the fused candidates with relevance >= minScore, best fused first, at most topK; `cut`
 * holds the rest, most relevant first, at most candidateK; `fused` is every candidate in fused order
 * (for explanations). Each candidate object is returned as
 * given (for a chunk in both lists, the dense list's object).
 */
export function rankCandidates<D extends RankableCandidate, L extends RankableLexicalCandidate>(
  lists: { dense: readonly D[]; lexical: readonly L[] },
  options: RankingOptions,
): { hits: Array<Ranked<D | L>>; cut: Array<Ranked<D | L>>; fused: Array<Ranked<D | L>> } {
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
  const fused = fuseLists({ ids: denseIds, scores: denseById }, { ids: lexicalIds, scores: textById }, options.fusion ?? PLAIN_RRF);
  const relevance = relevanceOf(byId, denseById, options.question);

  const hits: Array<Ranked<D | L>> = [];
  const cut: Array<Ranked<D | L>> = [];
  const all: Array<Ranked<D | L>> = [];
  for (const entry of fused) {
    const scores: RankingScores = {
      dense: denseById.get(entry.id)!,
      text: textById.get(entry.id) ?? null,
      denseRank: entry.denseRank,
      textRank: entry.lexicalRank,
      fused: entry.score,
      ...relevance.get(entry.id)!,
    };
    const ranked = { candidate: byId.get(entry.id)!, scores };
    all.push(ranked);
    (scores.relevance >= options.minScore ? hits : cut).push(ranked);
  }
  cut.sort((a, b) => b.scores.relevance - a.scores.relevance);
  return { hits: hits.slice(0, options.topK), cut: cut.slice(0, options.candidateK), fused: all };
}

function relevanceOf(
  byId: ReadonlyMap<string, RankableCandidate>,
  denseById: ReadonlyMap<string, number>,
  question: string | undefined,
): Map<string, { relevance: number; relevanceParts?: RelevanceParts }> {
  const ids = [...byId.keys()];
  if (question === undefined) return new Map(ids.map((id) => [id, { relevance: Math.min(1, Math.max(0, denseById.get(id)!)) }]));
  const scored = calibratedRelevance(
    question,
    ids.map((id) => ({ terms: candidateTermSequence(byId.get(id)!), dense: denseById.get(id)! })),
  );
  return new Map(ids.map((id, index) => [id, { relevance: scored[index]!.relevance, relevanceParts: scored[index]!.parts }]));
}
