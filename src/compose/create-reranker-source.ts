import type { Config } from "../config/schema.js";
import type { RerankerSettings } from "../config/reranker-schema.js";
import type { KeyValue } from "../ports/key-value.js";
import type { Logger } from "../ports/logger.js";
import type { Reranker } from "../ports/reranker.js";
import type { Metrics } from "../observability/metrics.js";
import type { RerankStageSettings } from "../use-cases/rerank-stage.js";
import { OpenAiCompatibleReranker } from "../adapters/reranker/openai-compatible/openai-compatible-reranker.js";
import { createCachingReranker } from "../wrappers/caching-reranker.js";
import { createMeteredReranker } from "../wrappers/metered-reranker.js";
import { createResilientReranker } from "../wrappers/resilient-reranker.js";
import type { ModelLayer } from "./create-model-layer.js";
import { createTracedReranker } from "../wrappers/traced-reranker.js";
import type { Tracer } from "../ports/tracer.js";

export interface RerankerSourceDeps {
  /** The live `retrieval.reranker` settings (hot-reloaded). */
  settings: () => RerankerSettings;
  /** Breaker settings shared with the other model calls (`openai.breakerThreshold`, `breakerHalfOpenAfterMs`). */
  openai: Config["openai"];
  models: Pick<ModelLayer, "createPolicy" | "onModelError" | "recorder">;
  keyValue: KeyValue;
  metrics: Metrics;
  logger: Logger;
  /** One span per rerank call that reaches the reranker (cache hits are not calls); absent → none. */
  tracer?: Tracer;
}

/**
 * The rerank stage's settings for each query, from the live config: null with `provider: none`;
 * otherwise the OpenAI-compatible `/rerank` adapter behind, from the inside out, the resilience
 * policy `reranker` (timeout, retries, breaker), usage accounting (`task: rerank`) and the score
 * cache. The wrapped reranker is rebuilt only when its connection settings change (a reload that
 * only moves `candidates` or `minScore` keeps its cache and breaker).
 */
export function createRerankerSource(deps: RerankerSourceDeps): () => RerankStageSettings | null {
  let built: { identity: string; reranker: Reranker } | null = null;
  return () => {
    const settings = deps.settings();
    if (settings.provider === "none" || settings.baseUrl === null || settings.model === null) return null;
    const identity = JSON.stringify([
      settings.baseUrl,
      settings.apiKey,
      settings.model,
      settings.requestFormat,
      settings.timeoutMs,
      settings.maxAttempts,
      settings.cacheTtlSeconds,
    ]);
    if (built?.identity !== identity) built = { identity, reranker: buildReranker(deps, settings as RerankerSettings & { baseUrl: string; model: string }) };
    return { reranker: built.reranker, candidates: settings.candidates, minScore: settings.minScore };
  };
}

function buildReranker(deps: RerankerSourceDeps, settings: RerankerSettings & { baseUrl: string; model: string }): Reranker {
  const { models, metrics } = deps;
  const adapter = new OpenAiCompatibleReranker({
    baseUrl: settings.baseUrl,
    apiKey: settings.apiKey,
    model: settings.model,
    requestFormat: settings.requestFormat,
  });
  const policy = models.createPolicy("reranker", {
    timeoutMs: settings.timeoutMs,
    maxAttempts: settings.maxAttempts,
    breakerThreshold: deps.openai.breakerThreshold,
    halfOpenAfterMs: deps.openai.breakerHalfOpenAfterMs,
    // On the query path a longer Retry-After is not waited for: the query keeps the fused order instead.
    maxRetryAfterMs: settings.timeoutMs,
  });
  const resilient = createResilientReranker(adapter, policy, { onError: models.onModelError("reranker") });
  const metered = createMeteredReranker(resilient, (call) =>
    models.recorder.record({
      provider: "openai",
      task: "rerank",
      model: settings.model,
      promptVersion: "none",
      tenant: call.tenant,
      usage: { inputTokens: call.inputTokens ?? 0, outputTokens: 0, cachedTokens: 0 },
      latencyMs: call.latencyMs,
      outcome: call.outcome,
    }),
  );
  return createCachingReranker(createTracedReranker(metered, deps.tracer), {
    keyValue: deps.keyValue,
    ttlSeconds: settings.cacheTtlSeconds,
    logger: deps.logger,
    onLookup: (hits, misses) => {
      metrics.rerankCache.inc({ result: "hit" }, hits);
      metrics.rerankCache.inc({ result: "miss" }, misses);
    },
  });
}
