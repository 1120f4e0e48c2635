import type { QdrantClient, Schemas } from "@qdrant/js-client-rest";
import { bm25QueryVector } from "./bm25-sparse-vector.js";
import { DENSE_VECTOR, SPARSE_VECTOR } from "./qdrant-collection.js";
import { callQdrant } from "./qdrant-errors.js";
import type { QdrantFilter } from "./qdrant-filter.js";
import { chunkFromPayload, denseVectorOf } from "./qdrant-points.js";
import type { SearchHit, SearchRequest, SearchResult } from "../../../ports/vector-store.js";
import { clampSimilarity, cosineSimilarity, vectorNorm } from "../../../core/ranking/cosine-similarity.js";

/** Longest query text turned into BM25 terms; longer questions are cut (as in the LanceDB adapter). */
const MAX_LEXICAL_QUERY_CHARACTERS = 2_000;

type QueryRequest = Schemas["QueryRequest"];
type ScoredPoint = Schemas["ScoredPoint"];

/**
 * The searches of one hybrid query, sent together to Qdrant's Query API (`points/query/batch`):
 * 0. the hybrid query — prefetch dense (`score_threshold: minScore`) and sparse BM25, each at most
 *    `candidateK`, fused server-side with `{fusion: "rrf"}`, payload and dense vector returned;
 * 1. the dense candidate list without threshold (dense ranks, and what the threshold cut);
 * 2. the BM25 candidate list (lexical ranks and scores), only when the text has terms.
 * Every search and prefetch carries `filter`, which always holds the tenant condition.
 */
export function buildHybridSearches(request: SearchRequest, filter: QdrantFilter, shardKey: string | undefined): QueryRequest[] {
  const sparse = bm25QueryVector((request.text ?? "").slice(0, MAX_LEXICAL_QUERY_CHARACTERS));
  const hasTerms = sparse.indices.length > 0;
  const routing = shardKey === undefined ? {} : { shard_key: shardKey };
  const densePrefetch: Schemas["Prefetch"] = {
    query: request.dense,
    using: DENSE_VECTOR,
    filter,
    limit: request.candidateK,
    score_threshold: request.minScore,
  };
  const sparsePrefetch: Schemas["Prefetch"] = { query: sparse, using: SPARSE_VECTOR, filter, limit: request.candidateK };
  const searches: QueryRequest[] = [
    {
      ...routing,
      prefetch: hasTerms ? [densePrefetch, sparsePrefetch] : [densePrefetch],
      query: { fusion: "rrf" },
      filter,
      // Room for every sparse-only candidate the threshold will drop, so topK hits survive it.
      limit: request.topK + request.candidateK,
      with_payload: true,
      with_vector: [DENSE_VECTOR],
    },
    { ...routing, query: request.dense, using: DENSE_VECTOR, filter, limit: request.candidateK, with_payload: true, with_vector: false },
  ];
  if (hasTerms) {
    searches.push({ ...routing, query: sparse, using: SPARSE_VECTOR, filter, limit: request.candidateK, with_payload: false, with_vector: false });
  }
  return searches;
}

/**
 * Runs the hybrid query (see {@link buildHybridSearches}) in one request and assembles the result with
 * the VectorStore semantics: hits are the fused candidates whose absolute dense cosine similarity
 * (computed from the returned dense vector) is >= minScore, in Qdrant's RRF order, at most topK, with
 * `fused` = Qdrant's RRF score. `cut` holds the candidates below minScore, best dense first, at most
 * candidateK: sparse-only ones fused by Qdrant keep their fused score; dense-only ones were removed by the
 * prefetch threshold before fusion and report `fused: 0`.
 */
export async function runQdrantHybridSearch(
  client: QdrantClient,
  collection: string,
  request: SearchRequest,
  filter: QdrantFilter,
  shardKey: string | undefined,
): Promise<SearchResult> {
  const searches = buildHybridSearches(request, filter, shardKey);
  const responses = await callQdrant("query", () => client.queryBatch(collection, { searches }));
  const fusedPoints = responses[0]?.points ?? [];
  const densePoints = responses[1]?.points ?? [];
  const sparsePoints = responses[2]?.points ?? [];

  const denseRanks = rankById(densePoints);
  const sparseRanks = rankById(sparsePoints);
  const query = request.dense;
  const queryNorm = vectorNorm(query);

  const toHit = (point: ScoredPoint, dense: number, fused: number): SearchHit => {
    const id = String(point.id);
    const chunk = chunkFromPayload(point.payload);
    return {
      id,
      tenant: chunk.tenant,
      text: chunk.text,
      metadata: chunk.metadata,
      scores: {
        dense,
        text: sparseRanks.get(id)?.score ?? null,
        denseRank: denseRanks.get(id)?.rank ?? null,
        textRank: sparseRanks.get(id)?.rank ?? null,
        fused,
      },
    };
  };

  const hits: SearchHit[] = [];
  const cut: SearchHit[] = [];
  const seen = new Set<string>();
  for (const point of fusedPoints) {
    const id = String(point.id);
    const vector = denseVectorOf(point);
    const dense = vector ? cosineSimilarity(query, queryNorm, vector) : denseRanks.get(id)?.score;
    if (dense === undefined || seen.has(id)) continue;
    seen.add(id);
    (dense >= request.minScore ? hits : cut).push(toHit(point, dense, point.score));
  }
  for (const point of densePoints) {
    const id = String(point.id);
    if (seen.has(id) || point.score >= request.minScore) continue;
    seen.add(id);
    cut.push(toHit(point, clampSimilarity(point.score), 0));
  }
  cut.sort((left, right) => right.scores.dense - left.scores.dense);
  return { hits: hits.slice(0, request.topK), cut: cut.slice(0, request.candidateK) };
}

function rankById(points: ScoredPoint[]): Map<string, { rank: number; score: number }> {
  const ranks = new Map<string, { rank: number; score: number }>();
  points.forEach((point, index) => {
    const id = String(point.id);
    if (!ranks.has(id)) ranks.set(id, { rank: index + 1, score: point.score });
  });
  return ranks;
}
