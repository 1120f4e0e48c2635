import { isStopword, retrievalTerm, tokenizeWords } from "../../core/text/text-tokens.js";
import type { ChunkPoint, WeightedTerm } from "../../ports/vector-store.js";

// The two sides of the lexical match every vector store adapter shares, so LanceDB's full-text index
// and Qdrant's BM25 sparse vectors see exactly the same terms (the port's contract).

/**
 * Names the analysis `chunkIndexTerms` does (core's tokenizeTerms: Porter2 stems, stop words, ASCII
 * folding; title then text). Stores record it with their index and rebuild what an older analysis
 * built. Change it whenever the terms of a chunk change: test/unit/lexical-terms-version.test.ts
 * pins the terms of a sample text to this version and fails until both are updated.
 */
export const LEXICAL_TERMS_VERSION = "porter2-title-1";

/**
 * The terms a store indexes for one chunk: core's retrieval terms of its title, then its text (titles
 * count), in order with repetitions (term frequency needs them). The same text core/ranking's
 * relevance reads (`candidateTerms`), so the index and the threshold agree on what a chunk holds.
 */
export function chunkIndexTerms(point: Pick<ChunkPoint, "text"> & { metadata: Pick<ChunkPoint["metadata"], "title"> }): string[] {
  return memoizedTerms(`${point.metadata.title}\n${point.text}`);
}

/** Words seen lately and their retrieval term (null: a stopword); cleared when full. */
const termOfWord = new Map<string, string | null>();
const TERM_MEMO_LIMIT = 100_000;

/** core's `tokenizeTerms`, with each distinct word's stopword test and stem done once (stemming is most of the cost, and words repeat). */
function memoizedTerms(text: string): string[] {
  const terms: string[] = [];
  for (const word of tokenizeWords(text)) {
    let term = termOfWord.get(word);
    if (term === undefined) {
      term = isStopword(word) ? null : retrievalTerm(word);
      if (termOfWord.size >= TERM_MEMO_LIMIT) termOfWord.clear();
      termOfWord.set(word, term);
    }
    if (term !== null) terms.push(term);
  }
  return terms;
}

/**
 * The query's terms that can add to a score: weights of a term listed more than once summed, terms
 * whose weight is 0 dropped, first-seen order. Empty when there is no lexical side.
 */
export function scoringTerms(terms: readonly WeightedTerm[] | undefined): WeightedTerm[] {
  const weights = new Map<string, number>();
  for (const { term, weight } of terms ?? []) weights.set(term, (weights.get(term) ?? 0) + weight);
  return [...weights].filter(([, weight]) => weight > 0).map(([term, weight]) => ({ term, weight }));
}
