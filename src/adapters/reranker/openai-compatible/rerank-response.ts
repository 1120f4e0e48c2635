import { z } from "zod";
import { UpstreamError } from "../../../core/errors.js";

const indexSchema = z.number().int().min(0);
const scoreSchema = z.number().refine(Number.isFinite, "must be a finite number");

/** Jina, Cohere, vLLM (and TEI's OpenAI-style routes): `{results: [{index, relevance_score}], usage?}`. */
const resultsShape = z.object({
  results: z.array(z.object({ index: indexSchema, relevance_score: scoreSchema })),
  usage: z.object({ prompt_tokens: z.number().int().min(0).optional(), total_tokens: z.number().int().min(0).optional() }).nullish(),
});

/** Text Embeddings Inference's native `/rerank`: a bare array `[{index, score}]`. */
const teiShape = z.array(z.object({ index: indexSchema, score: scoreSchema }));

export interface ParsedRerank {
  scores: number[];
  inputTokens: number | null;
}

/**
 * Validates a `/rerank` reply of either shape and puts its scores back in input order. Anything
 * else — another shape, a missing, repeated or out-of-range index, a count other than
 * `documentCount` — is an UpstreamError naming what was wrong (never the reply's own text).
 */
export function parseRerankReply(body: unknown, documentCount: number): ParsedRerank {
  let entries: Array<{ index: number; score: number }>;
  let inputTokens: number | null = null;
  const results = resultsShape.safeParse(body);
  const tei = results.success ? null : teiShape.safeParse(body);
  if (results.success) {
    entries = results.data.results.map((result) => ({ index: result.index, score: result.relevance_score }));
    inputTokens = results.data.usage?.prompt_tokens ?? results.data.usage?.total_tokens ?? null;
  } else if (tei?.success) {
    entries = tei.data;
  } else {
    throw new UpstreamError("the reranker returned a reply of an unknown shape (expected {results: [{index, relevance_score}]} or [{index, score}])");
  }
  if (entries.length !== documentCount) throw new UpstreamError(`the reranker returned ${entries.length} scores for ${documentCount} documents`);
  const scores = new Array<number | undefined>(documentCount).fill(undefined);
  for (const { index, score } of entries) {
    if (index >= documentCount) throw new UpstreamError(`the reranker returned a score for document ${index} of ${documentCount}`);
    if (scores[index] !== undefined) throw new UpstreamError(`the reranker returned two scores for document ${index}`);
    scores[index] = score;
  }
  return { scores: scores as number[], inputTokens };
}
