import { MatchQuery, type Table } from "@lancedb/lancedb";
import { clampSimilarity, cosineSimilarity, vectorNorm } from "../../../core/ranking/cosine-similarity.js";
import { callEngine } from "./lancedb-errors.js";
import { chunkMetadataFromRow, PAYLOAD_COLUMNS, vectorFromRow } from "./lancedb-schema.js";
import type { Candidate, LexicalCandidate } from "../../../ports/vector-store.js";

// The two candidate queries of a hybrid query. Each reads only what a candidate carries (payload and
// score, plus the stored vector on the lexical side), in one engine call.

export interface CandidateQueryOptions {
  /** Already-validated predicate: the tenant plus the request's filter. */
  predicate: string;
  timeoutMs: number;
}

/** Dense candidates, nearest first, with exact cosine similarities. */
export async function searchDense(table: Table, query: Float32Array, limit: number, options: CandidateQueryOptions): Promise<Candidate[]> {
  // An ANN index compares quantized vectors; refining re-ranks on the stored vectors, so `_distance` is
  // exact. Without an index the search is exact already and the refine step costs nothing, so it is
  // always asked for (the index may have been built by another process).
  const search = table
    .vectorSearch(query)
    .distanceType("cosine")
    .where(options.predicate)
    .refineFactor(1)
    .select([...PAYLOAD_COLUMNS, "_distance"])
    .limit(limit);
  const rows = await callEngine("vector search", () => search.toArray({ timeoutMs: options.timeoutMs }));
  return rows.map((row: Record<string, unknown>) => ({ ...payloadOf(row), score: clampSimilarity(1 - Number(row._distance)) }));
}

/**
 * Lexical (BM25) candidates, best first, each with the exact cosine of `query` and its stored vector.
 * A MatchQuery bypasses the query-string parser, so quotes, colons, AND/OR in user text are just terms.
 */
export async function searchLexical(
  table: Table,
  query: Float32Array,
  text: string,
  limit: number,
  options: CandidateQueryOptions,
): Promise<LexicalCandidate[]> {
  const search = table
    .query()
    .fullTextSearch(new MatchQuery(text, "text"))
    .where(options.predicate)
    .select([...PAYLOAD_COLUMNS, "vector", "_score"])
    .limit(limit);
  const rows = await callEngine("full-text search", () => search.toArray({ timeoutMs: options.timeoutMs }));
  const queryNorm = vectorNorm(query);
  return rows.map((row: Record<string, unknown>) => ({
    ...payloadOf(row),
    score: Number(row._score),
    similarity: cosineSimilarity(query, queryNorm, vectorFromRow(row.vector)),
  }));
}

function payloadOf(row: Record<string, unknown>): Omit<Candidate, "score"> {
  return { id: String(row.id), tenant: String(row.tenant), text: String(row.text), metadata: chunkMetadataFromRow(row) };
}
