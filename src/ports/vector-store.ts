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
   * Query text for the lexical (full-text / BM25) list, already capped by the caller (core/ranking
   * `lexicalQueryText`); absent, empty or without terms → the lexical list is empty.
   */
  text?: string;
  /**
   * Lexical query as weighted retrieval terms from core (`lexicalQueryTerms`, possibly expanded with
   * lower-weight feedback terms). Being introduced: when stores honour it, it replaces `text`.
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

/** The scores of a hit, as core/ranking computes them for every store; `rerank` is the reranker's score when one ordered the hits. */
export type HitScores = RankingScores & { rerank?: number };

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
 *   lexical list (full-text / BM25, `score` = the engine's BM25) of at most `limit` chunks each, each
 *   best first, both restricted to the tenant (always) and the filter (an empty `documentIds` or
 *   `sources` list matches nothing). No thresholds, no fusion: core/ranking does that, once, for every
 *   store. Lexical candidates carry `similarity`, the exact cosine of the query and their stored vector
 *   (computed by the adapter from the stored vector, so the core never handles stored vectors), since
 *   the core thresholds every candidate on the same absolute dense scale. Every candidate carries its
 *   chunk's text and metadata. A collection not created yet gives two empty lists; a query vector of
 *   another dimension, a limit below 1 or a malformed tenant/filter is a ValidationError.
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
