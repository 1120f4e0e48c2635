export interface RerankOptions {
  signal?: AbortSignal;
  /** Whose query this is: usage and cost are recorded per tenant. */
  tenant?: string;
}

/** What one rerank cost: input tokens when the server reported them (vLLM, Jina), else null (TEI, Cohere bill otherwise). */
export interface RerankUsage {
  inputTokens: number | null;
}

export interface RerankResult {
  /** One score per document, index-aligned with the documents passed in; higher is more relevant. */
  scores: number[];
  usage: RerankUsage;
}

/**
 * Port for rerankers: a cross-encoder (or any model) that scores each document against the query.
 *
 * Contract:
 * - `rerank(query, documents)` returns exactly one finite score per document, in input order (never
 *   the server's order, never fewer); an empty `documents` returns no scores without calling anything.
 * - A document's score depends only on the model, the query and that document, never on the other
 *   documents sent with it, so scores may be cached per (model, query, document) and batches split.
 * - Scores are comparable across queries of the same model, so one threshold means the same thing
 *   for every question; their scale is the model's (TEI, Jina, Cohere and vLLM's cross-encoders
 *   return [0, 1] by default; some servers return raw logits), so the threshold is configured per model.
 * - Failures are AppErrors of the taxonomy (Upstream*, ModelRequestRejected…); a reply that breaks
 *   the contract (wrong length, unknown index, not JSON) is an UpstreamError, never a partial result.
 * - No retries, timeouts or caching inside: those wrap the port (src/wrappers).
 */
export interface Reranker {
  /** `provider:model`, part of every cache key. */
  readonly modelId: string;
  rerank(query: string, documents: string[], options?: RerankOptions): Promise<RerankResult>;
}
