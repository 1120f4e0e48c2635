import type { KeyValue } from "../ports/key-value.js";
import type { Config } from "../config/schema.js";
import { AnswerCache } from "../use-cases/answer/answer-cache.js";
import { createModelAnswerer } from "../use-cases/answer/model-answerer.js";
import { createExtractiveAnswerer } from "../use-cases/answer/extractive-answerer.js";
import type { Answerer } from "../ports/answerer.js";
import { loadJudgePrompt, loadPromptTemplates } from "../adapters/prompts/file-prompt-templates.js";
import type { GroundingJudge } from "../ports/grounding-judge.js";
import { createLocalJudge } from "../use-cases/answer/local-judge.js";
import { createModelJudge, type CachedVerdict } from "../use-cases/answer/model-judge.js";
import { createTokenCounter } from "../core/text/token-counter.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import { createResiliencePolicy, type BreakerState, type ResiliencePolicy } from "../wrappers/resilience-policy.js";
import { createResilientVectorStore } from "../wrappers/resilient-vector-store.js";
import type { VectorStore } from "../ports/vector-store.js";
import type { ChatModel } from "../ports/chat-model.js";
import { AdaptiveConcurrency } from "../wrappers/adaptive-concurrency.js";
import { countingEmbedder, createQueryEmbedder, INITIAL_EMBEDDING_REQUESTS } from "./create-embedders.js";
import type { Embedder } from "../ports/embedder.js";
import { createOpenAiClient } from "../adapters/openai/openai-client.js";
import { OpenAiChatModel } from "../adapters/chat-model/openai/openai-chat-model.js";
import { OpenAiEmbedder } from "../adapters/embedder/openai/openai-embedder.js";
import { errorKind } from "./model-error-kind.js";
import { ModelUsageRecorder, type ModelCall } from "../observability/model-usage-recorder.js";
import { createResilientChatModel } from "../wrappers/resilient-chat-model.js";
import { createResilientEmbedder } from "../wrappers/resilient-embedder.js";
import { createRoutedChatModel } from "../wrappers/routed-chat-model.js";
import { createTracedChatModel } from "../wrappers/traced-chat-model.js";
import type { Tracer } from "../ports/tracer.js";

/** Everything the composition root needs from the model layer. */
export interface ModelLayer {
  /** OpenAI-compatible embedder for queries (resilient, concurrent calls coalesced); null → keep the local embedder. */
  embedder: Embedder | null;
  /**
   * The same endpoint uncoalesced (resilient, requests counted), for ingest to pack its requests, and
   * the slots for requests in flight that the endpoint's 429s teach; null with the local embedder.
   */
  embeddingEndpoint: { embedder: Embedder; concurrency: AdaptiveConcurrency } | null;
  /** The model answerer (`answer.provider: openai`), else the local extractive one. */
  answerer: Answerer;
  /** The grounding judge (`answer.judge.mode`): the local support check, the model judge on the small model, or null (off). */
  judge: GroundingJudge | null;
  answerCache: AnswerCache;
  recorder: ModelUsageRecorder;
  policies: Record<string, ResiliencePolicy>;
  /** Puts the store's search under a timeout (store.timeoutMs) and a breaker; use it for the query path. */
  wrapStore(store: VectorStore): VectorStore;
  /** A named resilience policy with the model layer's metrics and logs (replaces any policy of that name). */
  createPolicy(name: string, settings: PolicySettings): ResiliencePolicy;
  /** Counts and logs the final error of a model call to `dependency`. */
  onModelError(dependency: string): (error: unknown) => void;
}

export type PolicySettings = { timeoutMs: number; maxAttempts: number; breakerThreshold: number; halfOpenAfterMs: number; maxRetryAfterMs?: number };

export interface ModelLayerOptions {
  /** Store policy: attempts per search and breaker; defaults suit a store on the same network. */
  storeMaxAttempts?: number;
  storeBreakerThreshold?: number;
  storeHalfOpenAfterMs?: number;
  /** Prompt directory (tests); `prompts/` at the repository root by default. */
  promptDirectory?: string;
  /** Backoff of the model policies (tests shorten it). */
  initialRetryDelayMs?: number;
}

const BREAKER_VALUES: Record<BreakerState, number> = { closed: 0, open: 1, half_open: 2, isolated: 3 };

/**
 * Builds the model layer from config: `embedding.provider: openai` and `answer.provider: openai`
 * select the OpenAI-compatible adapters (one SDK client, `maxRetries: 0`), each behind its own
 * resilience policy with metrics; otherwise the embedder stays null (the local one is used) and the
 * answerer is the extractive one. Prompts are read here, so a missing prompt file stops start-up.
 */
export function createModelLayer(
  config: Config,
  deps: { metrics: Metrics; logger: Logger; keyValue: KeyValue; onModelCall?: (call: ModelCall, costUsd: number) => void; tracer?: Tracer },
  options: ModelLayerOptions = {},
): ModelLayer {
  const { metrics, logger } = deps;
  const recorder = new ModelUsageRecorder({ metrics, prices: config.prices, logger: logger.child({ component: "model" }), onCall: deps.onModelCall });
  const policies: Record<string, ResiliencePolicy> = {};
  const policy = (name: string, settings: PolicySettings) => {
    metrics.breakerState.set({ dependency: name }, 0);
    const created = createResiliencePolicy({
      name,
      ...settings,
      initialDelayMs: options.initialRetryDelayMs,
      onRetry: (error, attempt, delayMs) => {
        metrics.dependencyRetries.inc({ dependency: name });
        logger.warn({ dependency: name, attempt, delay_ms: Math.round(delayMs), kind: errorKind(error) }, "retrying dependency call");
      },
      onBreakerStateChange: (state) => {
        metrics.breakerState.set({ dependency: name }, BREAKER_VALUES[state]);
        logger.warn({ dependency: name, state }, "circuit breaker state changed");
      },
    });
    policies[name] = created;
    return created;
  };
  const modelSettings = {
    timeoutMs: config.openai.timeoutMs,
    maxAttempts: config.openai.maxAttempts,
    breakerThreshold: config.openai.breakerThreshold,
    halfOpenAfterMs: config.openai.breakerHalfOpenAfterMs,
  };
  const onModelError = (dependency: string) => (error: unknown) => {
    const kind = errorKind(error);
    if (kind === "aborted") return;
    metrics.modelErrors.inc({ provider: "openai", kind });
    // Our own messages only: the provider's text and the request (with its key) are never logged.
    logger.warn({ dependency, kind, status: (error as { status?: number }).status }, "model call failed");
  };

  const storePolicy = policy("vector_store", {
    timeoutMs: config.store.timeoutMs,
    maxAttempts: options.storeMaxAttempts ?? 2,
    breakerThreshold: options.storeBreakerThreshold ?? 5,
    halfOpenAfterMs: options.storeHalfOpenAfterMs ?? 10_000,
  });

  const answerCache = new AnswerCache({
    keyValue: deps.keyValue,
    ttlSeconds: config.answer.cacheTtlSeconds,
    onLookup: (hit) => metrics.answerCache.inc({ result: hit ? "hit" : "miss" }),
    logger,
  });
  const usesOpenAi = config.embedding.provider === "openai" || config.answer.provider === "openai";
  const client = usesOpenAi
    ? createOpenAiClient({ baseUrl: config.openai.baseUrl, apiKey: config.openai.apiKey, timeoutMs: config.openai.timeoutMs + 1_000 })
    : null;

  let embedder: Embedder | null = null;
  let embeddingEndpoint: ModelLayer["embeddingEndpoint"] = null;
  if (client && config.embedding.provider === "openai") {
    const openAiEmbedder = new OpenAiEmbedder(client, {
      model: config.embedding.model,
      dimension: config.embedding.dimension,
      maxInputsPerCall: config.embedding.maxInputsPerCall,
      maxTokensPerCall: config.embedding.maxTokensPerCall,
      encodingFormat: config.embedding.encodingFormat,
      onUsage: ({ inputTokens, model, latencyMs, tenant }) =>
        recorder.record({
          provider: "openai",
          task: "embedding",
          model,
          promptVersion: "none",
          tenant,
          usage: { inputTokens, outputTokens: 0, cachedTokens: 0 },
          latencyMs,
          outcome: "ok",
        }),
    });
    const concurrency = new AdaptiveConcurrency({
      initial: INITIAL_EMBEDDING_REQUESTS,
      max: config.embedding.maxConcurrentRequests,
      onLimitChange: (limit, reason) => {
        if (reason === "rate_limited") logger.warn({ dependency: "embedder", limit }, "embedding endpoint rate limited: fewer requests in flight");
      },
    });
    // 429s are observed inside the policy, so every refused attempt is seen; slots are taken outside it (create-embedders).
    const resilient = createResilientEmbedder(concurrency.observe(openAiEmbedder), policy("embedder", modelSettings), { onError: onModelError("embedder") });
    embeddingEndpoint = { embedder: countingEmbedder(resilient, metrics), concurrency };
    embedder = createQueryEmbedder(embeddingEndpoint.embedder);
  }

  let answerer: Answerer = createExtractiveAnswerer({ maxSentences: config.answer.maxSentences });
  let judge: GroundingJudge | null = config.answer.judge.mode === "local" ? createLocalJudge() : null;
  if (client && config.answer.provider === "openai") {
    const resilientChat = (name: string, model: string) => {
      const namedPolicy = policy(name, modelSettings);
      // One span per request to the chat model (each attempt), when tracing is on.
      const chatModel = createTracedChatModel(new OpenAiChatModel(client, { model, structuredOutput: config.answer.structuredOutput }), deps.tracer);
      return {
        policy: namedPolicy,
        model: createResilientChatModel(chatModel, namedPolicy, { idleTimeoutMs: config.openai.timeoutMs, onError: onModelError(name) }),
      };
    };
    const primary = resilientChat("chat", config.answer.model);
    const fallback = config.answer.fallbackModel ? resilientChat("chat_fallback", config.answer.fallbackModel).model : null;
    const recordCall = (call: Omit<ModelCall, "provider">) => recorder.record({ provider: "openai", ...call });
    const onInvalidOutput = () => metrics.modelErrors.inc({ provider: "openai", kind: "invalid_output" });
    const chat = createRoutedChatModel({ primary: primary.model, primaryPolicy: primary.policy, fallback });
    const smallModel = config.answer.smallModel ? resilientChat("chat_small", config.answer.smallModel) : null;
    const small: ChatModel | undefined = smallModel
      ? createRoutedChatModel({ primary: smallModel.model, primaryPolicy: smallModel.policy, fallback })
      : undefined;
    answerer = createModelAnswerer({
      chat,
      smallChat: small,
      fallbackChat: fallback,
      templates: loadPromptTemplates({ version: config.answer.promptVersion, directory: options.promptDirectory }),
      counter: createTokenCounter(),
      recordCall,
      onInvalidOutput,
      cache: answerCache,
      settings: {
        maxOutputTokens: config.answer.maxOutputTokens,
        inputTokenBudget: config.answer.inputTokenBudget,
        fallbackInputTokenBudget: config.answer.fallbackInputTokenBudget,
        examplesMaxTokens: config.answer.examples.enabled ? config.answer.examples.maxTokens : 0,
      },
      logger: logger.child({ component: "answer" }),
    });
    if (config.answer.judge.mode === "model") {
      judge = createModelJudge({
        chat: small ?? chat,
        prompt: loadJudgePrompt({ version: config.answer.judge.promptVersion, directory: options.promptDirectory }),
        recordCall,
        onInvalidOutput,
        // Verdicts share the answer cache's store (and TTL), under their own `jdg:` keys.
        cache: new AnswerCache<CachedVerdict>({ keyValue: deps.keyValue, ttlSeconds: config.answer.cacheTtlSeconds, logger }),
        maxOutputTokens: config.answer.judge.maxOutputTokens,
        logger: logger.child({ component: "judge" }),
      });
    }
  }

  return {
    embedder,
    embeddingEndpoint,
    answerer,
    judge,
    answerCache,
    recorder,
    policies,
    wrapStore: (store) => createResilientVectorStore(store, storePolicy),
    createPolicy: policy,
    onModelError,
  };
}
