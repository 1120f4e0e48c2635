import { MatchQuery, type Table } from "@lancedb/lancedb";
import { callEngine } from "./lancedb-errors.js";
import { vectorFromRow } from "./lancedb-schema.js";

// The two candidate queries of a hybrid search. Both read as few columns as they can: every column a
// query returns is read row by row from its own pages, which dominates the cost of small result sets.

export interface CandidateQueryOptions {
  /** Already-validated predicate: tenant plus the request's filter ("" only where every row qualifies, see lancedb-mirror-search.ts). */
  predicate: string;
  timeoutMs: number;
  /** Told when the lexical side failed and the search went on dense-only. */
  onLexicalFailure: (error: unknown) => void;
}

type ArrowResult = Awaited<ReturnType<ReturnType<Table["query"]>["toArrow"]>>;

export interface DenseCandidates {
  ids: string[];
  /** Row addresses in the table version the query read, for reading payloads without an id lookup. */
  rowIds: ArrayLike<bigint>;
  similarities: Float64Array;
}

export interface LexicalCandidates {
  ids: string[];
  rowIds: ArrayLike<bigint>;
  scores: Float64Array;
  /** Stored vector of candidate i, read only for candidates the dense list lacks. */
  vectorAt: (index: number) => Float32Array;
}

export const NO_LEXICAL_CANDIDATES: LexicalCandidates = { ids: [], rowIds: [], scores: new Float64Array(0), vectorAt: () => new Float32Array(0) };

/** Dense candidates as ids and exact cosine similarities, best first; no payload is read. */
export async function searchDense(table: Table, query: Float32Array, limit: number, options: CandidateQueryOptions): Promise<DenseCandidates> {
  // An ANN index compares quantized vectors; refining re-ranks on the stored vectors, so `_distance` is
  // exact. Without an index the search is exact already and the refine step costs nothing, so it is
  // always asked for (the index may have been built by another process).
  const search = table.vectorSearch(query).distanceType("cosine").where(options.predicate).refineFactor(1).select(["id", "_distance"]).withRowId().limit(limit);
  const result = await callEngine("vector search", () => search.toArrow({ timeoutMs: options.timeoutMs }));
  const ids = Array.from(columnValues<string>(result, "id"), String);
  const distances = columnValues<number>(result, "_distance");
  const similarities = new Float64Array(ids.length);
  for (let index = 0; index < ids.length; index++) similarities[index] = Math.max(-1, Math.min(1, 1 - distances[index]!));
  return { ids, rowIds: columnValues<bigint>(result, "_rowid"), similarities };
}

/** Lexical (BM25) candidates as ids and scores, best first, with their vectors; never throws (reports and returns none). */
export async function searchLexical(table: Table, text: string, limit: number, options: CandidateQueryOptions): Promise<LexicalCandidates> {
  try {
    const result = await fullTextQuery(table, text, limit, options, ["id", "vector", "_score"]).withRowId().toArrow({ timeoutMs: options.timeoutMs });
    if (result.numRows === 0) return NO_LEXICAL_CANDIDATES;
    const vectors = result.getChild("vector");
    if (!vectors) throw new Error("full-text search result lacks the vector column");
    return {
      ids: Array.from(columnValues<string>(result, "id"), String),
      rowIds: columnValues<bigint>(result, "_rowid"),
      scores: Float64Array.from(columnValues<number>(result, "_score")),
      vectorAt: (index) => vectorFromRow(vectors.get(index)),
    };
  } catch (error) {
    // Lexical failure must not fail the query: fall back to dense-only and report it.
    options.onLexicalFailure(error);
    return NO_LEXICAL_CANDIDATES;
  }
}

/**
 * Lexical (BM25) candidates as row addresses and scores only, best first, for callers that know the id
 * at each address (see RowAddressIds): no column of the table is read. Never throws.
 */
export async function searchLexicalAddresses(
  table: Table,
  text: string,
  limit: number,
  options: CandidateQueryOptions,
): Promise<{ rowIds: ArrayLike<bigint>; scores: Float64Array }> {
  try {
    const result = await fullTextQuery(table, text, limit, options, ["_score"]).withRowId().toArrow({ timeoutMs: options.timeoutMs });
    return { rowIds: columnValues<bigint>(result, "_rowid"), scores: Float64Array.from(columnValues<number>(result, "_score")) };
  } catch (error) {
    options.onLexicalFailure(error);
    return { rowIds: [], scores: new Float64Array(0) };
  }
}

function fullTextQuery(table: Table, text: string, limit: number, options: CandidateQueryOptions, columns: string[]) {
  // A MatchQuery bypasses the query-string parser, so quotes, colons, AND/OR in user text are just terms.
  const query = table.query().fullTextSearch(new MatchQuery(text, "text"));
  return (options.predicate ? query.where(options.predicate) : query).select(columns).limit(limit);
}

/** A result column's values; an empty result may come without any columns. */
function columnValues<T>(result: ArrowResult, name: string): ArrayLike<T> {
  if (result.numRows === 0) return [];
  const column = result.getChild(name);
  if (!column) throw new Error(`LanceDB result lacks the ${name} column`);
  return column.toArray() as ArrayLike<T>;
}
