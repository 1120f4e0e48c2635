import { tokenizeTerms } from "../text/text-tokens.js";

/** One term of a lexical query, as core/text analyses it, with its weight (1 for a question's own terms). */
export interface WeightedTerm {
  term: string;
  weight: number;
}

/** Most distinct terms a lexical query carries; longer questions keep their first ones (BM25 gains nothing from more). */
export const MAX_LEXICAL_QUERY_TERMS = 64;

/**
 * The lexical query of a question: its distinct retrieval terms (`tokenizeTerms`: stopwords out,
 * Porter2 stems) in first-seen order, weight 1 each, at most MAX_LEXICAL_QUERY_TERMS. Every store
 * matches these terms against the terms core/text produced for the chunks, so both sides share one
 * analysis. An empty list means no lexical side.
 */
export function lexicalQueryTerms(question: string | undefined): WeightedTerm[] {
  const distinct = [...new Set(tokenizeTerms(question ?? ""))].slice(0, MAX_LEXICAL_QUERY_TERMS);
  return distinct.map((term) => ({ term, weight: 1 }));
}
