import type { WeightedTerm } from "./lexical-query.js";

/** `off`: never expand; `gated`: expand when the gate below says so; `always`: expand every query with feedback. */
export const EXPANSION_MODES = ["off", "gated", "always"] as const;
export type ExpansionMode = (typeof EXPANSION_MODES)[number];

/**
 * Longest query the gate expands, in distinct retrieval terms (stop words out). Keyword queries are
 * two to three words long (web search logs: Silverstein et al. 1999, Jansen & Spink 2006, ~2.4 words
 * on average); a query with more content terms is a question that already states its context.
 */
export const SHORT_QUERY_MAX_TERMS = 3;

/** Why a query was or was not expanded (shown by `explain`). */
export type ExpansionReason = "off" | "always" | "short_query" | "long_query" | "no_query_terms" | "no_feedback";

export interface ExpansionDecision {
  expand: boolean;
  reason: ExpansionReason;
}

/**
 * The query-level gate, fixed before any measurement with it: expand a short query only — one of at
 * most SHORT_QUERY_MAX_TERMS distinct terms of positive weight. Pseudo-relevance feedback helps short,
 * underspecified queries (its known gains are on keyword "title" queries), while for a longer question
 * the first pass already matches on many specific terms and feedback terms mostly add drift toward
 * the top documents' neighbours. The rule reads only the query, so it cannot be fitted to a collection.
 *
 * Contract: pure. `off` never expands; a query without terms or a first pass without candidates
 * (`feedbackCandidates` 0) is never expanded; otherwise `always` expands and `gated` applies the rule.
 */
export function decideExpansion(mode: ExpansionMode, queryTerms: readonly WeightedTerm[], feedbackCandidates: number): ExpansionDecision {
  if (mode === "off") return { expand: false, reason: "off" };
  const distinct = new Set(queryTerms.filter((term) => term.weight > 0).map((term) => term.term)).size;
  if (distinct === 0) return { expand: false, reason: "no_query_terms" };
  if (feedbackCandidates === 0) return { expand: false, reason: "no_feedback" };
  if (mode === "always") return { expand: true, reason: "always" };
  return distinct <= SHORT_QUERY_MAX_TERMS ? { expand: true, reason: "short_query" } : { expand: false, reason: "long_query" };
}
