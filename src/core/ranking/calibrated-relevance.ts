import { questionAnchors } from "./anchor-terms.js";
import { spellingVariants } from "./spelling-variants.js";
import { distinctQueryTerms, poolTermWeights } from "./term-relevance.js";

/** Share of the relevance that comes from the dense cosine; the rest is the covered share of query term weight. */
export const RELEVANCE_DENSE_SHARE = 0.2;

/** The evidence one candidate's relevance is made of, each comparable across queries. */
export interface RelevanceParts {
  /** Share in [0, 1] of the question's term weight (pool IDF) the candidate's title and text hold. */
  coverage: number;
  /** Dense cosine of question and candidate, clamped to [0, 1]. */
  dense: number;
  /**
   * Share in [0, 1] of the question's anchor weight (names and numbers, `questionAnchors`) that the
   * pool mentions: an anchor counts when some candidate holds all its terms within a few terms of
   * each other (ANCHOR_SLACK); 1 for a question without anchors. The same for every candidate of a query.
   */
  anchors: number;
}

/** One candidate as the relevance reads it: its retrieval terms in order (title, then text) and its dense cosine. */
export interface RelevanceInput {
  terms: readonly string[];
  dense: number;
}

/**
 * Calibrated relevance of every candidate of one query, in [0, 1]:
 *   relevance = anchors × ((1 − RELEVANCE_DENSE_SHARE) × coverage + RELEVANCE_DENSE_SHARE × dense)
 * - Term weights are IDF over the candidate pool (poolTermWeights): the pool is what both retrievers
 *   found for the question, so a term no candidate holds is one the documents (almost surely) lack.
 * - A query term no candidate holds as it is matches its spelling variants in the pool instead
 *   (spellingVariants: one edit, six letters or more, no digits), so a misspelt name still counts.
 * - anchors: a question whose names or numbers the pool never mentions is about something else,
 *   however many of its other words a candidate shares ("Super Bowl LVIII" against "Super Bowl 50",
 *   "Taylor Swift" against a "Taylor" and a "swift" apart). Each anchor weighs its terms' weights.
 * Nothing is normalised over the result list: a candidate's relevance depends on the pool only
 * through the term weights and the anchor share, so one threshold means the same for every query.
 * Without query terms, coverage and the anchor share are 0 and 1: relevance is the dense part alone.
 *
 * Contract: pure and deterministic; one entry per candidate, in order.
 */
export function calibratedRelevance(question: string, candidates: readonly RelevanceInput[]): Array<{ relevance: number; parts: RelevanceParts }> {
  const queryTerms = distinctQueryTerms(question);
  const termSets = candidates.map((candidate) => new Set(candidate.terms));
  const matchSets = termMatchSets(queryTerms, termSets);
  const holding = termSets.map((terms) => new Set(queryTerms.filter((_, index) => [...matchSets[index]!].some((match) => terms.has(match)))));
  const weights = poolTermWeights(queryTerms, holding);
  const matchesOf = new Map(queryTerms.map((term, index) => [term, matchSets[index]!]));
  const anchors = anchorShare(questionAnchors(question), new Map(queryTerms.map((term, index) => [term, weights[index]!])), matchesOf, candidates);
  let total = 0;
  for (const weight of weights) total += weight;
  return candidates.map((candidate, index) => {
    let covered = 0;
    queryTerms.forEach((term, termIndex) => {
      if (holding[index]!.has(term)) covered += weights[termIndex]!;
    });
    const parts: RelevanceParts = { coverage: total > 0 ? covered / total : 0, dense: Math.min(1, Math.max(0, candidate.dense)), anchors };
    return { relevance: parts.anchors * ((1 - RELEVANCE_DENSE_SHARE) * parts.coverage + RELEVANCE_DENSE_SHARE * parts.dense), parts };
  });
}

/** For each query term, the pool terms that match it: itself, or its spelling variants when no candidate holds it. */
function termMatchSets(queryTerms: readonly string[], termSets: ReadonlyArray<ReadonlySet<string>>): Array<Set<string>> {
  let vocabulary: Set<string> | null = null;
  return queryTerms.map((term) => {
    if (termSets.some((terms) => terms.has(term))) return new Set([term]);
    vocabulary ??= new Set(termSets.flatMap((terms) => [...terms]));
    return new Set([term, ...spellingVariants(term, vocabulary)]);
  });
}

/** Weight of the anchors some candidate holds close together, over the weight of all anchors; 1 without anchors (or when they weigh nothing). */
function anchorShare(
  anchors: readonly string[][],
  weights: ReadonlyMap<string, number>,
  matchesOf: ReadonlyMap<string, ReadonlySet<string>>,
  candidates: readonly RelevanceInput[],
): number {
  let total = 0;
  let found = 0;
  for (const phrase of anchors) {
    let weight = 0;
    for (const term of phrase) weight += weights.get(term) ?? 0;
    total += weight;
    const slots = phrase.map((term) => matchesOf.get(term) ?? new Set([term]));
    if (candidates.some((candidate) => holdsNearby(candidate.terms, slots))) found += weight;
  }
  return total > 0 ? found / total : 1;
}

/** Terms a name's words may stand apart by in a passage ("East India Trading Company" / "East India Company"). */
const ANCHOR_SLACK = 2;

/** True when some window of `terms`, ANCHOR_SLACK longer than the slots, holds a match of every slot (in any order). */
function holdsNearby(terms: readonly string[], slots: ReadonlyArray<ReadonlySet<string>>): boolean {
  if (slots.length === 1) return terms.some((term) => slots[0]!.has(term));
  const width = slots.length + ANCHOR_SLACK;
  for (let start = 0; start < terms.length; start++) {
    if (!slots.some((slot) => slot.has(terms[start]!))) continue;
    const window = terms.slice(start, start + width);
    if (slots.every((slot) => window.some((term) => slot.has(term)))) return true;
  }
  return false;
}
