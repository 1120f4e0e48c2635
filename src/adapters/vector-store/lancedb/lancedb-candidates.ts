import { MatchQuery, type FullTextQuery, type Table } from "@lancedb/lancedb";
import { clampSimilarity, cosineSimilarity, vectorNorm } from "../../../core/ranking/cosine-similarity.js";
import { callEngine } from "./lancedb-errors.js";
import { chunkMetadataFromRow, PAYLOAD_COLUMNS, TERMS_COLUMN, vectorFromRow } from "./lancedb-schema.js";
import type { Candidate, LexicalCandidate, WeightedTerm } from "../../../ports/vector-store.js";

// The two candidate queries of a hybrid query. Each reads only what a candidate carries (payload and
// score, plus the stored vector on the lexical side), in one engine call.

export interface CandidateQueryOptions {
  /** Already-validated predicate: the tenant plus the request's filter. */
  predicate: string;
  timeoutMs: number;
  /**
   * How many times `limit` candidates the quantised ANN index proposes before the re-rank on stored
   * vectors; HNSW's search breadth (ef) is twice that. No effect on a table without an index (exact).
   */
  refineFactor: number;
}

/** Dense candidates, nearest first, with exact cosine similarities. */
export async function searchDense(table: Table, query: Float32Array, limit: number, options: CandidateQueryOptions): Promise<Candidate[]> {
  // An ANN index compares quantized vectors; refining re-ranks on the stored vectors, so `_distance` is
  // exact, and asking the index for refineFactor × limit first recovers the neighbours quantisation
  // misorders. Without an index the search is exact already and both settings cost nothing, so they
  // are always given (the index may have been built by another process).
  const search = table
    .vectorSearch(query)
    .distanceType("cosine")
    .where(options.predicate)
    .refineFactor(options.refineFactor)
    .ef(2 * options.refineFactor * limit)
    .select([...PAYLOAD_COLUMNS, "_distance"])
    .limit(limit);
  const rows = await callEngine("vector search", () => search.toArray({ timeoutMs: options.timeoutMs }));
  return rows.map((row: Record<string, unknown>) => ({ ...payloadOf(row), score: clampSimilarity(1 - Number(row._distance)) }));
}

/** Repetitions of the heaviest term when weights differ: lighter terms get proportionally fewer (at least one). */
export const WEIGHT_STEPS = 20;

/**
 * The full-text query of weighted terms (distinct, weights > 0) on the `terms` column, and the factor
 * that turns the engine's `_score` into the weighted BM25 (each term's share × its weight).
 *
 * One MatchQuery, with each term repeated in proportion to its weight: LanceDB counts a repeated query
 * token once per repetition, on indexed rows and on rows not yet indexed alike, whereas a MatchQuery's
 * `boost` is ignored by the search over rows not yet indexed (lancedb 0.37; see bench/RESULTS.md).
 * Equal weights need no repetition, so a plain question's score is the raw BM25; otherwise the heaviest
 * term is repeated WEIGHT_STEPS times and a lighter one round(WEIGHT_STEPS × weight / heaviest) times,
 * at least once, so weights are honoured to within 1/(2 × WEIGHT_STEPS) of the heaviest.
 * Terms are matched verbatim (the index splits on whitespace only); a MatchQuery bypasses the
 * query-string parser, so no character of a term is syntax.
 */
export function lexicalQuery(terms: readonly WeightedTerm[]): { query: FullTextQuery; scoreScale: number } {
  const heaviest = Math.max(...terms.map((entry) => entry.weight));
  if (terms.every((entry) => entry.weight === heaviest)) {
    return { query: new MatchQuery(terms.map((entry) => entry.term).join(" "), TERMS_COLUMN), scoreScale: heaviest };
  }
  const words = terms.flatMap((entry) => Array<string>(Math.max(1, Math.round((WEIGHT_STEPS * entry.weight) / heaviest))).fill(entry.term));
  return { query: new MatchQuery(words.join(" "), TERMS_COLUMN), scoreScale: heaviest / WEIGHT_STEPS };
}

/**
 * Lexical (BM25) candidates for distinct weighted terms (at least one, weights > 0), best first, each
 * with its weighted BM25 (see lexicalQuery) and the exact cosine of `query` and its stored vector.
 */
export async function searchLexical(
  table: Table,
  query: Float32Array,
  terms: readonly WeightedTerm[],
  limit: number,
  options: CandidateQueryOptions,
): Promise<LexicalCandidate[]> {
  const { query: fullText, scoreScale } = lexicalQuery(terms);
  const search = table
    .query()
    .fullTextSearch(fullText)
    .where(options.predicate)
    .select([...PAYLOAD_COLUMNS, "vector", "_score"])
    .limit(limit);
  const rows = await callEngine("full-text search", () => search.toArray({ timeoutMs: options.timeoutMs }));
  const queryNorm = vectorNorm(query);
  return rows.map((row: Record<string, unknown>) => ({
    ...payloadOf(row),
    score: Number(row._score) * scoreScale,
    similarity: cosineSimilarity(query, queryNorm, vectorFromRow(row.vector)),
  }));
}

function payloadOf(row: Record<string, unknown>): Omit<Candidate, "score"> {
  return { id: String(row.id), tenant: String(row.tenant), text: String(row.text), metadata: chunkMetadataFromRow(row) };
}
