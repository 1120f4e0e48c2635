import type { ModelCall } from "../../ports/model-usage.js";
import { ValidationError } from "../../core/errors.js";
import { resolveModelCitations } from "../../core/answer/citations.js";
import type { Passage } from "../../core/answer/passages.js";
import {
  buildAnswerMessages,
  buildFallbackMessages,
  formatExample,
  formatPassage,
  type OutputMode,
  type PromptMessage,
  type PromptTemplates,
} from "../../core/answer/prompt-templates.js";
import { examplesWithinBudget, passagesWithinBudget } from "../../core/answer/token-budget.js";
import type { TokenCounter } from "../../core/text/token-counter.js";
import type { Answer, AnswerEvent, Answerer, AnswerRequest } from "../../ports/answerer.js";
import type { ChatModel } from "../../ports/chat-model.js";
import type { Logger } from "../../ports/logger.js";
import { answerCacheKey, type AnswerCache } from "./answer-cache.js";
import { generateValidated, streamValidated, type CallTarget, type ModelCallDeps } from "./model-calls.js";
import { answerOutputSpec, REFINED_INSTRUCTION, refinedInstruction } from "./structured-answer.js";

export interface ModelAnswererDeps {
  chat: ChatModel;
  /** Cheaper model for the no-passages (fallback) prompt; `chat` when absent. */
  smallChat?: ChatModel;
  /** The fallback model (answer.fallbackModel), tried last when the main model's replies never validate; none → that step is skipped. */
  fallbackChat?: ChatModel | null;
  templates: PromptTemplates;
  counter: TokenCounter;
  /** Records one call (the provider is added by the composition root) and returns its cost in USD. */
  recordCall: (call: Omit<ModelCall, "provider">) => number;
  /** Called once for every model output that failed validation. */
  onInvalidOutput?: () => void;
  cache?: AnswerCache;
  settings: {
    maxOutputTokens: number;
    inputTokenBudget: number;
    fallbackInputTokenBudget: number;
    /** Tokens the few-shot examples may take (answer.examples.maxTokens); the least similar are dropped first. */
    examplesMaxTokens?: number;
    /** Most generation calls per answer (repair, retries and fallback included). */
    maxGenerationCalls?: number;
  };
  logger?: Logger;
}

/** One request made ready for the model: the prompt, the passages that fitted the budget, the cache key. */
interface Prepared {
  target: CallTarget;
  passages: Passage[];
  messages: (extraInstruction?: string) => PromptMessage[];
  /** null for the fallback prompt, which is never cached. */
  cacheKey: string | null;
  /** Ids of the examples in the prompt. */
  exampleIds: string[];
}

const NO_USAGE = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 };
const MAX_GENERATION_CALLS = 4;

/**
 * The Answerer over a chat model: versioned prompt (static part first for prefix caching), passages
 * delimited as data and trimmed to the token budget by dropping the lowest-ranked, citation numbers
 * checked against the passages, an answer cache keyed by construction, every call recorded. Without
 * passages it uses the separate fallback prompt (on `smallChat` when given). Reviewed examples go
 * after the static system text, within `examplesMaxTokens`, and into the cache key. Not streaming:
 * structured JSON output validated with zod in the one retry order (repair → refined retry stating
 * the errors → `fallbackChat` → `invalid_output`, at most `maxGenerationCalls` calls, stopping when
 * the request's signal is aborted); `request.retry` starts at the refined retry with its problems
 * and skips the cache lookup. Streaming: the text prompt, validated once complete, never retried.
 * A question too long for the budget is a ValidationError (400).
 */
export function createModelAnswerer(deps: ModelAnswererDeps): Answerer {
  const callDeps: ModelCallDeps = {
    recordCall: deps.recordCall,
    onInvalidOutput: deps.onInvalidOutput,
    logger: deps.logger,
    maxOutputTokens: deps.settings.maxOutputTokens,
  };

  function prepare(request: AnswerRequest, mode: OutputMode): Prepared {
    const call = { tenant: request.tenant, keyId: request.keyId, signal: request.signal };
    if (request.passages.length === 0) {
      const template = deps.templates.fallback;
      const reason = request.noPassagesReason ?? "empty";
      const messages = (extra?: string) => buildFallbackMessages(template, mode, reason, request.question, extra);
      checkBudget(messages(REFINED_INSTRUCTION), [], deps.settings.fallbackInputTokenBudget, "answer.fallbackInputTokenBudget");
      const target = { ...call, task: "fallback" as const, promptVersion: template.version, chat: deps.smallChat ?? deps.chat };
      return { target, passages: [], messages, cacheKey: null, exampleIds: [] };
    }
    const template = deps.templates.answer;
    const formatted = request.passages.map((passage, index) => formatPassage(passage, index + 1));
    const examples = [...(request.examples ?? [])].sort((left, right) => right.similarity - left.similarity);
    const shownExamples = examples.map(formatExample);
    const examplesKept = examplesWithinBudget(deps.counter, shownExamples, deps.settings.examplesMaxTokens ?? 0);
    const exampleTexts = shownExamples.slice(0, examplesKept);
    const framing = buildAnswerMessages(template, mode, [], request.question, REFINED_INSTRUCTION, exampleTexts);
    const kept = checkBudget(framing, formatted, deps.settings.inputTokenBudget, "answer.inputTokenBudget");
    const passages = request.passages.slice(0, kept);
    const messages = (extra?: string) => buildAnswerMessages(template, mode, formatted.slice(0, kept), request.question, extra, exampleTexts);
    const exampleIds = examples.slice(0, examplesKept).map((example) => example.id);
    const cacheKey = answerCacheKey({
      tenant: request.tenant,
      question: request.question,
      hits: passages,
      promptVersion: template.version,
      model: deps.chat.modelId,
      exampleIds,
    });
    return { target: { ...call, task: "answer", promptVersion: template.version, chat: deps.chat }, passages, messages, cacheKey, exampleIds };
  }

  /** How many passages fit the budget with the fixed text; the question alone not fitting is a 400. */
  function checkBudget(fixed: PromptMessage[], passages: string[], budget: number, setting: string): number {
    const { kept } = passagesWithinBudget(deps.counter, { budget, fixedTexts: fixed.map((message) => message.content), passages });
    if (kept < 0) throw new ValidationError(`question is too long for the ${setting} token budget`, [{ path: "question", message: `too long for ${setting}` }]);
    return kept;
  }

  async function fromCache(prepared: Prepared): Promise<Answer | null> {
    const entry = prepared.cacheKey ? await deps.cache?.get(prepared.cacheKey) : null;
    if (!entry) return null;
    const resolved = resolveModelCitations(entry.answer, entry.citations, prepared.passages);
    const promptVersion = prepared.target.promptVersion;
    const used = { usedPassages: prepared.passages.length, calls: 0, examples: prepared.exampleIds };
    return { outcome: "answered", ...resolved, usage: NO_USAGE, model: entry.model, promptVersion, cached: true, ...used };
  }

  async function toCache(prepared: Prepared, answer: Answer, contextSufficient: boolean): Promise<void> {
    if (!prepared.cacheKey || answer.answer === null) return;
    const citations = answer.citations.map((citation) => citation.n);
    await deps.cache?.set(prepared.cacheKey, { answer: answer.answer, citations, contextSufficient, model: answer.model });
  }

  async function generate(request: AnswerRequest): Promise<Answer> {
    const prepared = prepare(request, "json");
    const cached = request.retry ? null : await fromCache(prepared);
    if (cached) return cached;
    const maxCalls = Math.min(request.retry?.maxCalls ?? MAX_GENERATION_CALLS, deps.settings.maxGenerationCalls ?? MAX_GENERATION_CALLS);
    const retryProblems = request.retry?.problems ?? [];
    const { value, usage, model, calls } = await generateValidated(callDeps, prepared.target, answerOutputSpec, {
      messages: request.retry ? prepared.messages(refinedInstruction(retryProblems)) : prepared.messages(),
      refinedMessages: (issues) => prepared.messages(refinedInstruction([...retryProblems, ...issues])),
      firstKind: request.retry ? "refined" : "initial",
      fallback: prepared.target.task === "answer" ? deps.fallbackChat : null,
      maxCalls,
    });
    const base = {
      usage,
      model,
      promptVersion: prepared.target.promptVersion,
      cached: false,
      usedPassages: prepared.passages.length,
      calls,
      examples: prepared.exampleIds,
    };
    if (!value) return { ...base, outcome: "invalid_output", answer: null, citations: [] };
    if (prepared.target.task === "fallback") return { ...base, outcome: "answered", answer: value.answer.trim(), citations: [] };
    const answer: Answer = { ...base, outcome: "answered", ...resolveModelCitations(value.answer, value.citations, prepared.passages) };
    await toCache(prepared, answer, value.context_sufficient);
    return answer;
  }

  async function* stream(request: AnswerRequest): AsyncIterable<AnswerEvent> {
    const prepared = prepare(request, "text");
    const cached = await fromCache(prepared);
    if (cached) {
      if (cached.answer) yield { type: "delta", text: cached.answer };
      yield { type: "result", result: cached };
      return;
    }
    for await (const part of streamValidated(callDeps, prepared.target, prepared.messages())) {
      if (part.type === "delta") {
        yield part;
        continue;
      }
      const base = {
        usage: part.usage,
        model: part.model,
        promptVersion: prepared.target.promptVersion,
        cached: false,
        usedPassages: prepared.passages.length,
        calls: 1,
        examples: prepared.exampleIds,
      };
      if (part.text === null) {
        yield { type: "result", result: { ...base, outcome: "invalid_output", answer: null, citations: [] } };
        return;
      }
      const result: Answer = { ...base, outcome: "answered", ...resolveModelCitations(part.text, [], prepared.passages) };
      await toCache(prepared, result, true);
      yield { type: "result", result };
    }
  }

  const answer = (request: AnswerRequest, options?: { stream?: boolean }) => (options?.stream ? stream(request) : generate(request));

  return {
    promptVersion: deps.templates.answer.version,
    model: null,
    capabilities: { answersWithoutPassages: true, streamsIncrementally: true, reportsTokenUsage: true, retries: true },
    answer,
  } as Answerer;
}
