import type { ModelCall } from "../../ports/model-usage.js";
import { z } from "zod";
import type { PromptMessage } from "../../core/answer/prompt-templates.js";
import type { AnswerUsage } from "../../ports/answerer.js";
import type { ChatModel, TokenUsage } from "../../ports/chat-model.js";
import type { Logger } from "../../ports/logger.js";
import { generateStructured, type StructuredAttempt, type StructuredRequest, type StructuredSpec } from "./structured-output.js";

export interface ModelCallDeps {
  /** Records one call (the provider is added by the composition root) and returns its cost in USD. */
  recordCall: (call: Omit<ModelCall, "provider">) => number;
  /** Called once for every model output that failed validation. */
  onInvalidOutput?: () => void;
  logger?: Logger;
  maxOutputTokens: number;
}

/** Which call: the prompt's task and version, the model, and whom it is for. */
export interface CallTarget {
  task: "answer" | "fallback" | "judge";
  promptVersion: string;
  chat: ChatModel;
  tenant: string;
  keyId?: string;
  signal?: AbortSignal;
}

export type StreamedPart = { type: "delta"; text: string } | { type: "done"; text: string | null; usage: AnswerUsage; model: string };

/** What generateValidated did: the value (null when nothing validated), usage summed over every attempt, the last model, the calls made. */
export interface Validated<T> {
  value: T | null;
  usage: AnswerUsage;
  model: string;
  calls: number;
  stoppedByDeadline: boolean;
}

const ZERO: TokenUsage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
const streamedTextSchema = z.string().trim().min(1).max(20_000);

/**
 * Structured output of `spec` with validation and the one retry order (see generateStructured);
 * every attempt is recorded with its kind and its usage summed. `value` is null when no attempt validated.
 */
export async function generateValidated<T>(
  deps: ModelCallDeps,
  target: CallTarget,
  spec: StructuredSpec<T>,
  prompts: Pick<StructuredRequest, "messages" | "refinedMessages" | "firstKind" | "fallback" | "maxCalls">,
): Promise<Validated<T>> {
  const usage: AnswerUsage = { ...ZERO, costUsd: 0 };
  let model = target.chat.modelId;
  let calls = 0;
  const onAttempt = (attempt: StructuredAttempt) => {
    model = attempt.model;
    calls++;
    const costUsd = record(deps, target, attempt.model, attempt.usage, attempt.latencyMs, attempt.valid ? "ok" : "invalid_output", attempt.kind);
    usage.inputTokens += attempt.usage.inputTokens;
    usage.outputTokens += attempt.usage.outputTokens;
    usage.cachedTokens += attempt.usage.cachedTokens;
    usage.costUsd += costUsd;
    if (!attempt.valid) {
      deps.onInvalidOutput?.();
      deps.logger?.warn(
        { task: target.task, prompt_version: target.promptVersion, attempt: attempt.kind, issues: attempt.issues.slice(0, 10) },
        "model output failed validation",
      );
    }
  };
  const started = performance.now();
  try {
    const result = await generateStructured(spec, target.chat, { ...prompts, maxTokens: deps.maxOutputTokens, signal: target.signal, onAttempt });
    if (!result.value)
      deps.logger?.warn(
        { task: target.task, prompt_version: target.promptVersion, attempts: result.attempts.length, deadline: result.stoppedByDeadline },
        "model output never validated; degraded",
      );
    return { value: result.value, usage, model, calls, stoppedByDeadline: result.stoppedByDeadline };
  } catch (error) {
    record(deps, target, model, ZERO, performance.now() - started, "error");
    throw error;
  }
}

/**
 * Streams plain text: deltas as the model writes them, then `done` with the whole text (null when it
 * is empty or too long to be an answer), the usage and the model. A stream that fails midway throws.
 */
export async function* streamValidated(deps: ModelCallDeps, target: CallTarget, messages: PromptMessage[]): AsyncIterable<StreamedPart> {
  const model = target.chat.modelId;
  const started = performance.now();
  let text = "";
  let usage: TokenUsage = ZERO;
  try {
    for await (const part of target.chat.stream({ messages, maxTokens: deps.maxOutputTokens, signal: target.signal })) {
      if ("delta" in part) {
        text += part.delta;
        yield { type: "delta", text: part.delta };
      } else usage = part.usage;
    }
  } catch (error) {
    record(deps, target, model, usage, performance.now() - started, "error");
    throw error;
  }
  const valid = streamedTextSchema.safeParse(text).success;
  const costUsd = record(deps, target, model, usage, performance.now() - started, valid ? "ok" : "invalid_output", "initial");
  if (!valid) deps.onInvalidOutput?.();
  yield { type: "done", text: valid ? text : null, usage: { ...usage, costUsd }, model };
}

function record(
  deps: ModelCallDeps,
  target: CallTarget,
  model: string,
  usage: TokenUsage,
  latencyMs: number,
  outcome: ModelCall["outcome"],
  attempt?: StructuredAttempt["kind"],
): number {
  return deps.recordCall({
    task: target.task,
    model,
    promptVersion: target.promptVersion,
    tenant: target.tenant,
    keyId: target.keyId,
    usage,
    latencyMs,
    outcome,
    ...(attempt ? { attempt } : {}),
  });
}
