import { z } from "zod";

/** Default threshold on the reranker's score; for [0, 1] cross-encoders. Unmeasured here (no reranker model runs offline). */
export const RERANK_MIN_SCORE_DEFAULT = 0.1;

/**
 * `retrieval.reranker`: an optional rerank stage after fusion (hot-reloaded with the rest of
 * `retrieval`). `provider: openai` calls an HTTP `/rerank` endpoint (TEI, vLLM, Jina, Cohere…);
 * `baseUrl: null` → `openai.baseUrl` (and then `openai.apiKey`, which is never sent to any other host).
 */
export const rerankerSchema = z
  .strictObject({
    provider: z.enum(["none", "openai"]).default("none"),
    baseUrl: z.string().url().nullable().default(null),
    /** RAGLINE_RETRIEVAL_RERANKER_API_KEY; never logged, never returned. */
    apiKey: z.string().min(1).nullable().default(null),
    model: z.string().min(1).nullable().default(null),
    /** `documents`: Jina/Cohere/vLLM body; `texts`: Text Embeddings Inference's native body. */
    requestFormat: z.enum(["documents", "texts"]).default("documents"),
    /** Fused candidates sent to the reranker (best fused first); the rest are not hits. */
    candidates: z.number().int().min(1).max(1000).default(50),
    /** Threshold on the reranker's score (its own scale: [0, 1] for TEI, Jina, Cohere, vLLM cross-encoders). */
    minScore: z.number().min(-1000).max(1000).default(RERANK_MIN_SCORE_DEFAULT),
    /** Per-attempt timeout and attempts; past them the query keeps the fused order (never fails). */
    timeoutMs: z.number().int().min(1).default(2_000),
    maxAttempts: z.number().int().min(1).max(10).default(2),
    cacheTtlSeconds: z
      .number()
      .int()
      .min(0)
      .default(24 * 3600),
  })
  .refine((value) => value.provider === "none" || value.model !== null, {
    message: "provider openai needs a model (it names the scores in the cache)",
    path: ["model"],
  })
  .prefault({});

export type RerankerSettings = z.infer<typeof rerankerSchema>;

/** Why `provider: openai` has no endpoint, or null when it has one (`baseUrl`, else `openai.baseUrl`). */
export function rerankerEndpointProblem(reranker: RerankerSettings, openAiBaseUrl: string | null): string | null {
  if (reranker.provider !== "openai" || reranker.baseUrl !== null || openAiBaseUrl !== null) return null;
  return "provider openai needs retrieval.reranker.baseUrl (or openai.baseUrl, OPENAI_BASE_URL)";
}

/** Fills `baseUrl` from `openai.baseUrl` when unset, and the key with it: a key is only sent to the host it was configured for. */
export function resolveReranker(reranker: RerankerSettings, openAi: { baseUrl: string | null; apiKey: string | null }): RerankerSettings {
  if (reranker.baseUrl !== null || openAi.baseUrl === null) return reranker;
  return { ...reranker, baseUrl: openAi.baseUrl, apiKey: reranker.apiKey ?? openAi.apiKey };
}

/** Settings as they may be logged: the key replaced by a mark. */
export function redactReranker(reranker: RerankerSettings): RerankerSettings {
  return reranker.apiKey === null ? reranker : { ...reranker, apiKey: "[redacted]" };
}
