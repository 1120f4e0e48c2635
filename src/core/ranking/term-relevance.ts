import { tokenizeTerms } from "../text/text-tokens.js";

/** Smallest pool size the weights assume: a handful of chunks cannot tell a rare term from a common one. */
export const MIN_TERM_POOL = 10;

/**
 * Weight of each distinct query term, estimated from the candidate pool of one query: a term found in
 * `n` of the `pool` candidates weighs ln((max(pool, MIN_TERM_POOL) + 1) / (n + 0.5)), so a term no
 * candidate contains (a name the documents never mention) weighs most and a term every candidate of a
 * large pool contains next to nothing.
 *
 * Contract: pure; one weight (>= 0) per entry of `queryTerms`, in order.
 */
export function poolTermWeights(queryTerms: readonly string[], candidateTerms: ReadonlyArray<ReadonlySet<string>>): number[] {
  const pool = Math.max(candidateTerms.length, MIN_TERM_POOL);
  return queryTerms.map((term) => {
    let containing = 0;
    for (const terms of candidateTerms) if (terms.has(term)) containing += 1;
    return Math.max(0, Math.log((pool + 1) / (containing + 0.5)));
  });
}

/** Distinct retrieval terms of a question, in first-seen order. */
export function distinctQueryTerms(question: string): string[] {
  return [...new Set(tokenizeTerms(question))];
}

/** Retrieval terms of a candidate: its text and its title (titles count). */
export function candidateTerms(candidate: { text?: string; metadata?: { title?: string } }): Set<string> {
  return new Set(candidateTermSequence(candidate));
}

/** Retrieval terms of a candidate in order: its title, then its text (the sequence `candidateTerms` collects). */
export function candidateTermSequence(candidate: { text?: string; metadata?: { title?: string } }): string[] {
  return tokenizeTerms(`${candidate.metadata?.title ?? ""}\n${candidate.text ?? ""}`);
}
