import { z } from "zod";
import { ValidationError } from "../../core/errors.js";
import type { TokenCounter } from "../../core/text/token-counter.js";
import type { Metrics } from "../../observability/metrics.js";
import type { ChatMessage, ChatModel, TokenUsage } from "../../ports/chat-model.js";
import type { ModelUsageRecorder } from "../../observability/model-usage-recorder.js";
import type { SearchHit } from "../../ports/vector-store.js";
import type { Citation, Usage } from "../answer-query.js";
import { answerCacheKey, type AnswerCache } from "./answer-cache.js";
import { resolveModelCitations } from "../../core/answer/citations.js";
import {
  buildAnswerMessages,
  buildFallbackMessages,
  formatPassage,
  type FallbackReason,
  type PromptTemplate,
  type PromptTemplates,
} from "../../core/answer/prompt-templates.js";
import { generateStructuredAnswer, REFINED_INSTRUCTION, type StructuredAttempt } from "./structured-answer.js";
import { passagesWithinBudget } from "../../core/answer/token-budget.js";
import { type Logger } from "../../ports/logger.js";

/** What the model path produced for one question. */
export interface ModelAnswer {
  /** null when the output never validated (degraded: the caller still returns the retrieved passages). */
  answer: string | null;
  citations: Citation[];
  usage: Usage;
  model: string;
  promptVersion: string;
  cached: boolean;
  degraded: boolean;
  /** Hits that fitted the token budget and were shown to the model (a prefix of the retrieved hits). */
  usedHits: number;
}

export type AnswerStreamEvent = { type: "delta"; text: string } | { type: "result"; result: ModelAnswer };

export interface LlmAnswererDeps {
  chat: ChatModel;
  /** Cheaper model for the non-retrieval fallback prompt; `chat` when absent. */
  smallChat?: ChatModel;
  templates: PromptTemplates;
  counter: TokenCounter;
  recorder: ModelUsageRecorder;
  cache?: AnswerCache;
  metrics?: Metrics;
  provider?: string;
  settings: { maxOutputTokens: number; inputTokenBudget: number; fallbackInputTokenBudget: number };
  logger?: Logger;
}

interface CallContext {
  tenant: string;
  question: string;
  signal?: AbortSignal;
}

const ZERO: TokenUsage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
const streamedTextSchema = z.string().trim().min(1).max(20_000);

/**
 * Answers with an OpenAI-compatible chat model: versioned prompt (static part first for prefix
 * caching), retrieved passages delimited as data and trimmed to the token budget by dropping the
 * lowest-ranked, structured output validated with zod (repair → refined retry → degrade), citation
 * numbers checked against the passages, answer cache by construction, and every call recorded.
 */
export class LlmAnswerer {
  private readonly provider: string;

  constructor(private readonly deps: LlmAnswererDeps) {
    this.provider = deps.provider ?? "openai";
  }

  get promptVersion(): string {
    return this.deps.templates.answer.version;
  }

  get fallbackPromptVersion(): string {
    return this.deps.templates.fallback.version;
  }

  async answer(input: CallContext & { hits: SearchHit[] }): Promise<ModelAnswer> {
    const template = this.deps.templates.answer;
    const { hits, passages } = this.fit(template, "json", input.question, input.hits, this.deps.settings.inputTokenBudget);
    const cacheKey = answerCacheKey({ tenant: input.tenant, question: input.question, hits, promptVersion: template.version, model: this.deps.chat.modelId });
    const cached = await this.fromCache(cacheKey, hits, template.version);
    if (cached) return cached;
    const result = await this.structured(input, "answer", template, this.deps.chat, {
      messages: buildAnswerMessages(template, "json", passages, input.question),
      refinedMessages: buildAnswerMessages(template, "json", passages, input.question, REFINED_INSTRUCTION),
    });
    if (!result.value) return { ...result.base, answer: null, citations: [], degraded: true, usedHits: hits.length };
    const resolved = resolveModelCitations(result.value.answer, result.value.citations, hits);
    await this.deps.cache?.set(cacheKey, {
      answer: resolved.answer,
      citations: resolved.citations.map((citation) => citation.n),
      contextSufficient: result.value.context_sufficient,
      model: result.base.model,
    });
    return { ...result.base, ...resolved, degraded: false, usedHits: hits.length };
  }

  /** The separate non-retrieval prompt (store unavailable, or nothing relevant with onNoContext=fallback); always degraded. */
  async answerWithoutRetrieval(input: CallContext & { reason: FallbackReason }): Promise<ModelAnswer> {
    const template = this.deps.templates.fallback;
    this.checkFallbackBudget(template, "json", input.question, input.reason);
    const result = await this.structured(input, "fallback", template, this.deps.smallChat ?? this.deps.chat, {
      messages: buildFallbackMessages(template, "json", input.reason, input.question),
      refinedMessages: buildFallbackMessages(template, "json", input.reason, input.question, REFINED_INSTRUCTION),
    });
    return { ...result.base, answer: result.value?.answer.trim() ?? null, citations: [], degraded: true, usedHits: 0 };
  }

  /** Streams the answer text (plain-text output mode); the final `result` carries the validated answer and citations. */
  async *streamAnswer(input: CallContext & { hits: SearchHit[] }): AsyncIterable<AnswerStreamEvent> {
    const template = this.deps.templates.answer;
    const { hits, passages } = this.fit(template, "text", input.question, input.hits, this.deps.settings.inputTokenBudget);
    const cacheKey = answerCacheKey({ tenant: input.tenant, question: input.question, hits, promptVersion: template.version, model: this.deps.chat.modelId });
    const cached = await this.fromCache(cacheKey, hits, template.version);
    if (cached) {
      if (cached.answer) yield { type: "delta", text: cached.answer };
      yield { type: "result", result: cached };
      return;
    }
    let result: ModelAnswer | null = null;
    for await (const event of this.streamText(
      input,
      "answer",
      template,
      this.deps.chat,
      buildAnswerMessages(template, "text", passages, input.question),
      hits,
    )) {
      if (event.type === "result") result = event.result;
      yield event;
    }
    if (result?.answer)
      await this.deps.cache?.set(cacheKey, {
        answer: result.answer,
        citations: result.citations.map((citation) => citation.n),
        contextSufficient: true,
        model: result.model,
      });
  }

  async *streamWithoutRetrieval(input: CallContext & { reason: FallbackReason }): AsyncIterable<AnswerStreamEvent> {
    const template = this.deps.templates.fallback;
    this.checkFallbackBudget(template, "text", input.question, input.reason);
    for await (const event of this.streamText(
      input,
      "fallback",
      template,
      this.deps.smallChat ?? this.deps.chat,
      buildFallbackMessages(template, "text", input.reason, input.question),
      [],
    )) {
      yield event.type === "result" ? { type: "result", result: { ...event.result, citations: [], degraded: true } } : event;
    }
  }

  private fit(template: PromptTemplate, mode: "json" | "text", question: string, allHits: SearchHit[], budget: number) {
    const formatted = allHits.map((hit, index) => formatPassage(hit, index + 1));
    const framing = buildAnswerMessages(template, mode, [], question, REFINED_INSTRUCTION).map((message) => message.content);
    const { kept } = passagesWithinBudget(this.deps.counter, { budget, fixedTexts: framing, passages: formatted });
    if (kept < 0)
      throw new ValidationError("question is too long for the answer token budget", [{ path: "question", message: "too long for answer.inputTokenBudget" }]);
    return { hits: allHits.slice(0, kept), passages: formatted.slice(0, kept) };
  }

  private checkFallbackBudget(template: PromptTemplate, mode: "json" | "text", question: string, reason: FallbackReason): void {
    const texts = buildFallbackMessages(template, mode, reason, question, REFINED_INSTRUCTION).map((message) => message.content);
    const { kept } = passagesWithinBudget(this.deps.counter, { budget: this.deps.settings.fallbackInputTokenBudget, fixedTexts: texts, passages: [] });
    if (kept < 0)
      throw new ValidationError("question is too long for the fallback token budget", [
        { path: "question", message: "too long for answer.fallbackInputTokenBudget" },
      ]);
  }

  private async fromCache(key: string, hits: SearchHit[], promptVersion: string): Promise<ModelAnswer | null> {
    const entry = await this.deps.cache?.get(key);
    if (!entry) return null;
    const resolved = resolveModelCitations(entry.answer, entry.citations, hits);
    return { ...resolved, usage: { ...ZERO, costUsd: 0 }, model: entry.model, promptVersion, cached: true, degraded: false, usedHits: hits.length };
  }

  private async structured(
    input: CallContext,
    task: "answer" | "fallback",
    template: PromptTemplate,
    chat: ChatModel,
    messages: { messages: ChatMessage[]; refinedMessages: ChatMessage[] },
  ) {
    const usage: Usage = { ...ZERO, costUsd: 0 };
    let model = chat.modelId;
    const onAttempt = (attempt: StructuredAttempt) => {
      model = attempt.model;
      this.addUsage(
        usage,
        this.record(input, task, template.version, attempt.model, attempt.usage, attempt.latencyMs, attempt.valid ? "ok" : "invalid_output"),
        attempt.usage,
      );
      if (!attempt.valid) {
        this.deps.metrics?.modelErrors.inc({ provider: this.provider, kind: "invalid_output" });
        this.deps.logger?.warn(
          { prompt_version: template.version, attempt: attempt.kind, issues: attempt.issues.slice(0, 10) },
          "model output failed validation",
        );
      }
    };
    const started = performance.now();
    try {
      const result = await generateStructuredAnswer(chat, { ...messages, maxTokens: this.deps.settings.maxOutputTokens, signal: input.signal, onAttempt });
      if (!result.value)
        this.deps.logger?.warn({ prompt_version: template.version, attempts: result.attempts.length }, "model output never validated; answering degraded");
      return { value: result.value, base: { usage, model, promptVersion: template.version, cached: false } };
    } catch (error) {
      this.record(input, task, template.version, model, ZERO, performance.now() - started, "error");
      throw error;
    }
  }

  private async *streamText(
    input: CallContext,
    task: "answer" | "fallback",
    template: PromptTemplate,
    chat: ChatModel,
    messages: ChatMessage[],
    hits: SearchHit[],
  ): AsyncIterable<AnswerStreamEvent> {
    const model = chat.modelId;
    const started = performance.now();
    let text = "";
    let usage: TokenUsage = ZERO;
    try {
      for await (const part of chat.stream({ messages, maxTokens: this.deps.settings.maxOutputTokens, signal: input.signal })) {
        if ("delta" in part) {
          text += part.delta;
          yield { type: "delta", text: part.delta };
        } else usage = part.usage;
      }
    } catch (error) {
      this.record(input, task, template.version, model, usage, performance.now() - started, "error");
      throw error;
    }
    const valid = streamedTextSchema.safeParse(text).success;
    const costUsd = this.record(input, task, template.version, model, usage, performance.now() - started, valid ? "ok" : "invalid_output");
    const base = { usage: { ...usage, costUsd }, model, promptVersion: template.version, cached: false, usedHits: hits.length };
    if (!valid) {
      this.deps.metrics?.modelErrors.inc({ provider: this.provider, kind: "invalid_output" });
      yield { type: "result", result: { ...base, answer: null, citations: [], degraded: true } };
      return;
    }
    yield { type: "result", result: { ...base, ...resolveModelCitations(text, [], hits), degraded: false } };
  }

  private record(
    input: CallContext,
    task: "answer" | "fallback",
    promptVersion: string,
    model: string,
    usage: TokenUsage,
    latencyMs: number,
    outcome: "ok" | "invalid_output" | "error",
  ): number {
    return this.deps.recorder.record({ provider: this.provider, task, model, promptVersion, tenant: input.tenant, usage, latencyMs, outcome });
  }

  private addUsage(total: Usage, costUsd: number, usage: TokenUsage): void {
    total.inputTokens += usage.inputTokens;
    total.outputTokens += usage.outputTokens;
    total.cachedTokens += usage.cachedTokens;
    total.costUsd += costUsd;
  }
}
