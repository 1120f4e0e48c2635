/** Where a chunk sits in its document; travels with every point and every hit. */
export interface ChunkMetadata {
  documentId: string;
  title: string;
  /** File name or other caller-given source name. */
  source: string;
  chunkIndex: number;
  /** Character offsets of the chunk in the document's extracted text: text.slice(start, end) === chunk text. */
  start: number;
  end: number;
  /** Headings enclosing the chunk, outermost first (Markdown/HTML); empty when none. */
  headingPath: string[];
  /** 1-based PDF page the chunk starts on; null for formats without pages. */
  page: number | null;
  /** sha256 of the chunk text. */
  contentHash: string;
  embeddingModel: string;
}

export interface ChunkPoint {
  /** Deterministic: UUIDv5(tenant, document id, chunk index). */
  id: string;
  tenant: string;
  text: string;
  vector: number[];
  metadata: ChunkMetadata;
}

/** Restricts a search beyond the tenant (which is always applied). */
export interface SearchFilter {
  documentIds?: string[];
  sources?: string[];
}

export interface SearchRequest {
  tenant: string;
  /** Query embedding, same model and dimension as the collection. */
  dense: number[];
  /** Query text for the lexical (full-text / BM25) side of hybrid search. */
  text?: string;
  topK: number;
  /** How many candidates each side (dense, lexical) contributes before fusion. */
  candidateK: number;
  /** Absolute threshold on the dense cosine similarity, comparable across queries. */
  minScore: number;
  filter?: SearchFilter;
}

export interface HitScores {
  /** Cosine similarity of query and chunk embeddings, in [-1, 1]; the thresholded score. */
  dense: number;
  /** Lexical relevance (BM25) when the chunk was a lexical candidate, else null. */
  text: number | null;
  /** 1-based ranks in each candidate list, null when absent from it. */
  denseRank: number | null;
  textRank: number | null;
  /** Reciprocal-rank-fusion score the final order is sorted by. */
  fused: number;
}

export interface SearchHit {
  id: string;
  tenant: string;
  text: string;
  metadata: ChunkMetadata;
  scores: HitScores;
}

export interface SearchResult {
  /** Hits at or above minScore, best first, at most topK. */
  hits: SearchHit[];
  /** Candidates the threshold removed, best first: lets a person tune minScore. */
  cut: SearchHit[];
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
 * - Every search is filtered by tenant; no hit of another tenant is ever returned.
 * - `search` thresholds on the absolute dense similarity (`scores.dense >= minScore`), fuses the
 *   dense and lexical candidate lists with reciprocal rank fusion, and returns what was cut.
 * - `deleteDocument` removes every chunk of the document, or only chunks with
 *   chunkIndex >= fromChunkIndex when given (used when a replaced document got shorter).
 * - Failures to reach the engine throw UpstreamUnavailableError / UpstreamTimeoutError.
 */
export interface VectorStore {
  readonly kind: string;
  ensureCollection(options: { dimension: number; model: string }): Promise<void>;
  upsert(points: ChunkPoint[]): Promise<void>;
  deleteDocument(tenant: string, documentId: string, options?: { fromChunkIndex?: number }): Promise<void>;
  search(request: SearchRequest): Promise<SearchResult>;
  /** Number of points for a tenant, or for one document of it. */
  count(tenant: string, documentId?: string): Promise<number>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
