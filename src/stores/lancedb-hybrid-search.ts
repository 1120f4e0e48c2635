import { MatchQuery, type Table } from "@lancedb/lancedb";
import { reciprocalRankFusion } from "../retrieve/reciprocal-rank-fusion.js";
import { callEngine } from "./lancedb-errors.js";
import { chunkMetadataFromRow, vectorFromRow } from "./lancedb-schema.js";
import type { SearchHit, SearchRequest, SearchResult } from "./vector-store.js";

/** Longest query text sent to the full-text side; longer questions are cut (BM25 gains nothing from more). */
const MAX_LEXICAL_QUERY_CHARACTERS = 2_000;

export interface HybridSearchOptions {
  /** Already-validated predicate: tenant plus the request's filter. */
  predicate: string;
  /** Whether the table has a full-text index on `text` (else the lexical side is skipped). */
  hasFullTextIndex: boolean;
  rrfK: number;
  timeoutMs: number;
  /** Told when the lexical side failed and the search went on dense-only. */
  onLexicalFailure: (error: unknown) => void;
}

interface Candidate {
  row: Record<string, unknown>;
  dense: number;
  text: number | null;
}

/**
 * Hybrid search on a chunks table: dense (cosine) and lexical (BM25) candidate lists of at most
 * `candidateK` each, both pre-filtered by `options.predicate`. Every candidate gets its exact dense
 * cosine similarity computed from the stored vector (so lexical-only candidates are thresholded on the
 * same absolute scale); candidates with dense >= minScore are fused by RRF over their ranks in the two
 * lists and returned best fused first (at most topK); the rest go to `cut`, best dense first.
 */
export async function runHybridSearch(table: Table, request: SearchRequest, options: HybridSearchOptions): Promise<SearchResult> {
  const query = Float32Array.from(request.dense);
  const queryNorm = Math.sqrt(query.reduce((sum, value) => sum + value * value, 0));
  const lexicalText = (request.text ?? "").trim().slice(0, MAX_LEXICAL_QUERY_CHARACTERS);

  const [denseRows, lexicalRows] = await Promise.all([
    callEngine("vector search", () =>
      table.vectorSearch(query).distanceType("cosine").where(options.predicate).limit(request.candidateK).toArray({ timeoutMs: options.timeoutMs }),
    ),
    lexicalText && options.hasFullTextIndex ? searchLexical(table, lexicalText, request.candidateK, options) : Promise.resolve([]),
  ]);

  const candidates = new Map<string, Candidate>();
  const addCandidate = (row: Record<string, unknown>, text: number | null) => {
    const id = String(row.id);
    const existing = candidates.get(id);
    if (existing) {
      existing.text ??= text;
      return;
    }
    candidates.set(id, { row, dense: cosineSimilarity(query, queryNorm, vectorFromRow(row.vector)), text });
  };
  for (const row of denseRows as Array<Record<string, unknown>>) addCandidate(row, null);
  for (const row of lexicalRows) addCandidate(row, Number(row._score));

  // Exact similarities re-order the dense list, since an ANN index only approximates the distance.
  const denseIds = (denseRows as Array<Record<string, unknown>>)
    .map((row) => String(row.id))
    .sort((a, b) => candidates.get(b)!.dense - candidates.get(a)!.dense);
  const lexicalIds = lexicalRows
    .map((row) => String(row.id))
    .sort((a, b) => candidates.get(b)!.text! - candidates.get(a)!.text!);
  const fused = reciprocalRankFusion([denseIds, lexicalIds], { k: options.rrfK });

  const hits: SearchHit[] = [];
  const cut: SearchHit[] = [];
  for (const item of fused) {
    const candidate = candidates.get(item.key)!;
    const hit: SearchHit = {
      id: item.key,
      tenant: String(candidate.row.tenant),
      text: String(candidate.row.text),
      metadata: chunkMetadataFromRow(candidate.row),
      scores: {
        dense: candidate.dense,
        text: candidate.text,
        denseRank: item.ranks[0] ?? null,
        textRank: item.ranks[1] ?? null,
        fused: item.score,
      },
    };
    (candidate.dense >= request.minScore ? hits : cut).push(hit);
  }
  cut.sort((a, b) => b.scores.dense - a.scores.dense);
  return { hits: hits.slice(0, request.topK), cut: cut.slice(0, request.candidateK) };
}

async function searchLexical(table: Table, text: string, limit: number, options: HybridSearchOptions): Promise<Array<Record<string, unknown>>> {
  try {
    // A MatchQuery bypasses the query-string parser, so quotes, colons, AND/OR in user text are just terms.
    return (await table
      .query()
      .fullTextSearch(new MatchQuery(text, "text"))
      .where(options.predicate)
      .limit(limit)
      .toArray({ timeoutMs: options.timeoutMs })) as Array<Record<string, unknown>>;
  } catch (error) {
    // Lexical failure must not fail the query: fall back to dense-only and report it.
    options.onLexicalFailure(error);
    return [];
  }
}

/** Cosine similarity in [-1, 1]; 0 when either vector has zero length. */
export function cosineSimilarity(query: Float32Array, queryNorm: number, stored: Float32Array): number {
  let dot = 0;
  let storedSquares = 0;
  for (let index = 0; index < query.length; index++) {
    const value = stored[index] ?? 0;
    dot += query[index]! * value;
    storedSquares += value * value;
  }
  const denominator = queryNorm * Math.sqrt(storedSquares);
  if (denominator === 0) return 0;
  return Math.max(-1, Math.min(1, dot / denominator));
}
