import { tokenizeTerms } from "../text/text-tokens.js";
import type { WeightedTerm } from "./lexical-query.js";

/** How RM3 pseudo-relevance feedback expands a lexical query. */
export interface Rm3Settings {
  /** Feedback documents: the first lexical pass's best F candidates. */
  feedbackDocs: number;
  /** Feedback terms kept from the relevance model (E). */
  expansionTerms: number;
  /** λ in [0, 1]: the original query's share of the expanded query (1 = no expansion). */
  originalWeight: number;
}

/**
 * Defaults are the settings of the standard BM25+RM3 baseline (Anserini / Pyserini: fbDocs 10,
 * fbTerms 10, originalQueryWeight 0.5), the ones behind the published RM3 figures, so they are
 * not fitted to any set measured here.
 */
export const RM3_DEFAULTS: Readonly<Rm3Settings> = { feedbackDocs: 10, expansionTerms: 10, originalWeight: 0.5 };

/** A candidate of the first lexical pass, as feedback: its text, title and raw BM25 score. */
export interface FeedbackCandidate {
  score: number;
  text?: string;
  metadata?: { title?: string };
}

/**
 * RM3 (Lavrenko & Croft's relevance model RM1, interpolated with the query): from the `feedbackDocs`
 * best candidates (by score, stable), each term's P(t|R) = Σ_D w(D) · tf(t, D) / |D| over the core
 * terms of title + text, where w(D) is the candidate's score over the feedback scores' sum (negative
 * scores count as 0; all 0 → equal weights). The `expansionTerms` most likely terms (ties by term) are
 * renormalised to sum 1 and interpolated with the query: weight(t) = λ · P(t|Q) + (1 − λ) · P(t|R),
 * P(t|Q) = the term's weight over the query's total weight. Weights are scaled so the expanded query
 * carries the original query's total weight (with weight-1 terms and no feedback, each stays 1).
 *
 * Contract: pure and deterministic. Every original term of positive weight is kept when λ > 0; terms
 * of weight 0 are dropped; terms come best weight first (ties: original terms first, in query order, then by term). No terms in the
 * query or no feedback candidates → the original query, unchanged.
 */
export function expandWithRm3(original: readonly WeightedTerm[], feedback: readonly FeedbackCandidate[], settings: Rm3Settings): WeightedTerm[] {
  const queryWeight = original.reduce((sum, term) => sum + Math.max(0, term.weight), 0);
  const documents = stableTopByScore(feedback, settings.feedbackDocs);
  if (queryWeight <= 0 || documents.length === 0 || settings.expansionTerms < 1) return original.map((term) => ({ ...term }));

  const feedbackModel = topTerms(relevanceModel(documents), settings.expansionTerms);
  const lambda = Math.min(1, Math.max(0, settings.originalWeight));
  const combined = new Map<string, number>();
  for (const { term, weight } of original) combined.set(term, (combined.get(term) ?? 0) + (lambda * Math.max(0, weight)) / queryWeight);
  for (const [term, probability] of feedbackModel) combined.set(term, (combined.get(term) ?? 0) + (1 - lambda) * probability);

  const originalOrder = new Map(original.map((term, index) => [term.term, index]));
  return [...combined]
    .filter(([, weight]) => weight > 0)
    .map(([term, weight]) => ({ term, weight: weight * queryWeight }))
    .sort((a, b) => b.weight - a.weight || orderOf(originalOrder, a.term) - orderOf(originalOrder, b.term) || compareTerms(a.term, b.term));
}

/** The F best candidates by score; equal scores keep their order (as the lexical list gave them). */
function stableTopByScore<C extends FeedbackCandidate>(candidates: readonly C[], count: number): C[] {
  return candidates
    .map((candidate, index) => ({ candidate, index }))
    .sort((a, b) => b.candidate.score - a.candidate.score || a.index - b.index)
    .slice(0, Math.max(0, count))
    .map(({ candidate }) => candidate);
}

/** P(t|R) over the feedback documents (RM1), each document weighted by its share of the feedback scores. */
function relevanceModel(documents: readonly FeedbackCandidate[]): Map<string, number> {
  const scores = documents.map((document) => (Number.isFinite(document.score) ? Math.max(0, document.score) : 0));
  const total = scores.reduce((sum, score) => sum + score, 0);
  const model = new Map<string, number>();
  documents.forEach((document, index) => {
    const documentWeight = total > 0 ? scores[index]! / total : 1 / documents.length;
    if (documentWeight === 0) return;
    const terms = tokenizeTerms(`${document.metadata?.title ?? ""}\n${document.text ?? ""}`);
    if (terms.length === 0) return;
    const counts = new Map<string, number>();
    for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    for (const [term, count] of counts) model.set(term, (model.get(term) ?? 0) + (documentWeight * count) / terms.length);
  });
  return model;
}

/** The `count` most likely terms (ties by term), renormalised to sum 1. */
function topTerms(model: ReadonlyMap<string, number>, count: number): Map<string, number> {
  const kept = [...model].sort((a, b) => b[1] - a[1] || compareTerms(a[0], b[0])).slice(0, count);
  const total = kept.reduce((sum, [, probability]) => sum + probability, 0);
  return new Map(total > 0 ? kept.map(([term, probability]) => [term, probability / total]) : []);
}

function orderOf(order: ReadonlyMap<string, number>, term: string): number {
  return order.get(term) ?? Number.MAX_SAFE_INTEGER;
}

/** Code-unit order: deterministic whatever the locale. */
function compareTerms(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
