import type { QdrantClient, Schemas } from "@qdrant/js-client-rest";
import { clampSimilarity, cosineSimilarity, vectorNorm } from "../../../core/ranking/cosine-similarity.js";
import { bm25QueryVector } from "./bm25-sparse-vector.js";
import { DENSE_VECTOR, SPARSE_VECTOR } from "./qdrant-collection.js";
import { scoringTerms } from "../lexical-terms.js";
import { callQdrant } from "./qdrant-errors.js";
import type { QdrantFilter } from "./qdrant-filter.js";
import { chunkFromPayload, denseVectorOf } from "./qdrant-points.js";
import type { Candidate, CandidateLists, CandidatesRequest } from "../../../ports/vector-store.js";

type QueryRequest = Schemas["QueryRequest"];
type ScoredPoint = Schemas["ScoredPoint"];

/**
 * The searches of one candidates call, sent together to Qdrant's Query API (`points/query/batch`):
 * 0. the dense list: nearest by cosine on `dense`, payload only, with `params` (beam width; with int8
 *    quantisation, rescored with the original vectors so its scores are exact cosines);
 * 1. the lexical list: BM25 on the sparse `bm25` vector, the query's weighted terms as the sparse query
 *    (value = weight), payload and the stored dense vector (for the exact cosine of lexical-only
 *    candidates); only when some term weighs more than 0.
 * Neither has a score threshold or fusion: the core ranks. Every search carries `filter`, which always
 * holds the tenant condition, and the tenant's shard key under custom sharding.
 */
export function buildCandidateSearches(
  request: CandidatesRequest,
  filter: QdrantFilter,
  shardKey: string | undefined,
  params: Schemas["SearchParams"] = {},
): QueryRequest[] {
  const sparse = bm25QueryVector(scoringTerms(request.lexicalTerms));
  const routing = shardKey === undefined ? {} : { shard_key: shardKey };
  const searches: QueryRequest[] = [
    { ...routing, query: request.dense, using: DENSE_VECTOR, filter, params, limit: request.limit, with_payload: true, with_vector: false },
  ];
  if (sparse.indices.length > 0) {
    searches.push({ ...routing, query: sparse, using: SPARSE_VECTOR, filter, limit: request.limit, with_payload: true, with_vector: [DENSE_VECTOR] });
  }
  return searches;
}

/**
 * Runs {@link buildCandidateSearches} in one request and returns both lists in Qdrant's order: dense
 * scores are Qdrant's cosine (clamped to [-1, 1]), lexical scores Qdrant's BM25 (IDF × stored term
 * frequencies), and each lexical candidate's `similarity` is computed here from its returned vector
 * (a lexical point returned without its vector is left out).
 */
export async function queryCandidates(
  client: QdrantClient,
  collection: string,
  request: CandidatesRequest,
  filter: QdrantFilter,
  shardKey: string | undefined,
  params: Schemas["SearchParams"] = {},
): Promise<CandidateLists> {
  const searches = buildCandidateSearches(request, filter, shardKey, params);
  const responses = await callQdrant("query", () => client.queryBatch(collection, { searches }));
  const dense = (responses[0]?.points ?? []).map((point) => toCandidate(point, clampSimilarity(point.score)));
  const queryNorm = vectorNorm(request.dense);
  const lexical = (responses[1]?.points ?? []).flatMap((point) => {
    const vector = denseVectorOf(point);
    // Every point has a dense vector; one returned without it cannot be thresholded, so it is left out.
    return vector ? [{ ...toCandidate(point, point.score), similarity: cosineSimilarity(request.dense, queryNorm, vector) }] : [];
  });
  return { dense, lexical };
}

function toCandidate(point: ScoredPoint, score: number): Candidate {
  const chunk = chunkFromPayload(point.payload);
  return { id: String(point.id), tenant: chunk.tenant, text: chunk.text, metadata: chunk.metadata, score };
}
