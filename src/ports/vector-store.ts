import type { RankingScores } from "../core/ranking/rank-candidates.js";
export type { ChunkMetadata, ChunkPoint } from "../core/chunk-point.js";
import type { ChunkMetadata, ChunkPoint } from "../core/chunk-point.js";
import type { WeightedTerm } from "../core/ranking/lexical-query.js";
export type { WeightedTerm } from "../core/ranking/lexical-query.js";

/** Restricts a candidate query beyond the tenant (which is always applied). */
export interface SearchFilter {
  documentIds?: string[];
  sources?: string[];
}

/** What `candidates` is asked for: one query, both retrievers, one tenant. */
export interface CandidatesRequest {
  tenant: string;
  /** Query embedding, same model and dimension as the collection. */
  dense: number[];
  /**
   * The lexical query: retrieval terms as core/text analyses them (`lexicalQueryTerms`, possibly
   * expanded with lower-weight feedback terms), each with its weight. Absent, empty, or only weights
   * of 0 → the lexical list is empty.
   */
  lexicalTerms?: readonly WeightedTerm[];
  /** Largest number of candidates in each list (integer >= 1). */
  limit: number;
  filter?: SearchFilter;
}

/** One chunk as a retriever listed it, with that retriever's raw score. */
export interface Candidate {
  id: string;
  tenant: string;
  text: string;
  metadata: ChunkMetadata;
  /** Raw engine score: exact cosine similarity in [-1, 1] (dense list) or the engine's BM25 score (lexical list). */
  score: number;
}

/** A lexical candidate also carries the exact dense cosine similarity of the query to its stored vector. */
export interface LexicalCandidate extends Candidate {
  /** Cosine similarity in [-1, 1] of the query embedding and this chunk's stored vector (thresholds apply to it). */
  similarity: number;
}

/** The two candidate lists of one query, each best first. */
export interface CandidateLists {
  dense: Candidate[];
  lexical: LexicalCandidate[];
}

/** The scores of a hit, as core/ranking computes them for every store. */
export type HitScores = RankingScores;

export interface SearchHit {
  id: string;
  tenant: string;
  text: string;
  metadata: ChunkMetadata;
  scores: HitScores;
}

export interface StoreHealth {
  status: "up" | "down";
  detail?: string;
}

/**
 * Port for the vector store (LanceDB embedded, Qdrant in server mode).
 *
 * Contract:
 * - `ensureCollection` creates the collection if missing; if it exists with another embedding model
 *   or dimension it throws ConflictError and never mixes vectors.
 * - `upsert` is idempotent on point id (replays and retries leave one copy of each point).
 * - `candidates` returns the dense list (nearest by cosine, `score` = exact cosine similarity) and the
 *   lexical list (BM25, `score` = the engine's raw BM25) of at most `limit` chunks each, each best
 *   first, both restricted to the tenant (always) and the filter (an empty `documentIds` or `sources`
 *   list matches nothing). No thresholds, no fusion: core/ranking does that, once, for every store.
 *   Lexical candidates carry `similarity`, the exact cosine of the query and their stored vector
 *   (computed by the adapter from the stored vector, so the core never handles stored vectors), since
 *   the core thresholds every candidate on the same absolute dense scale. Every candidate carries its
 *   chunk's text and metadata. A collection not created yet gives two empty lists; a query vector of
 *   another dimension, a limit below 1, a malformed lexical term or weight, or a malformed
 *   tenant/filter is a ValidationError.
 * - Lexical analysis is core's, never the engine's: each chunk is indexed under the terms
 *   `tokenizeTerms(title + "\n" + text)` (core/text: NFKC, lowercase, ASCII folding, stop words out,
 *   Snowball English stems; titles count), and `lexicalTerms` are matched against them verbatim (a
 *   question's "studies" finds a chunk's "studying": both are `studi`). A term's share of the BM25 score
 *   is multiplied by its weight; a term listed twice weighs the sum; weight 0 adds nothing. The BM25
 *   statistics (IDF, length normalisation) stay the engine's, so raw scores differ between stores.
 * - `deleteDocument` removes every chunk of the document, or only chunks with
 *   chunkIndex >= fromChunkIndex when given (used when a replaced document got shorter).
 * - Failures to reach the engine throw UpstreamUnavailableError / UpstreamTimeoutError.
 */
export interface VectorStore {
  readonly kind: string;
  ensureCollection(options: { dimension: number; model: string }): Promise<void>;
  upsert(points: ChunkPoint[]): Promise<void>;
  deleteDocument(tenant: string, documentId: string, options?: { fromChunkIndex?: number }): Promise<void>;
  candidates(request: CandidatesRequest): Promise<CandidateLists>;
  /** Number of points for a tenant, or for one document of it. */
  count(tenant: string, documentId?: string): Promise<number>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
