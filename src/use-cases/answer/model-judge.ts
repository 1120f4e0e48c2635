import { createHash } from "node:crypto";
import { z } from "zod";
import { escapeDelimiters, formatPassage, formatQuestion, type PromptMessage } from "../../core/answer/prompt-templates.js";
import { citedPassages, splitAnswer, supportScore } from "../../core/answer/support-check.js";
import type { ChatModel } from "../../ports/chat-model.js";
import type { GroundingJudge, GroundingJudgeRequest, GroundingVerdict, JudgedSentence } from "../../ports/grounding-judge.js";
import type { Logger } from "../../ports/logger.js";
import type { AnswerCache } from "./answer-cache.js";
import { generateValidated, type ModelCallDeps } from "./model-calls.js";
import { refinedInstruction } from "./structured-answer.js";
import { structuredSpec } from "./structured-output.js";

export const verdictOutputSchema = z.strictObject({
  sentences: z
    .array(
      z.strictObject({
        index: z.number().int().min(0),
        support: z.enum(["supported", "partly", "unsupported"]),
        citation: z.number().int().min(1).nullable(),
        reason: z.string().max(500),
      }),
    )
    .max(200),
});
export type VerdictOutput = z.infer<typeof verdictOutputSchema>;

/** A verdict as cached: the sentences' verdicts (the score is recomputed from them). */
export interface CachedVerdict {
  sentences: JudgedSentence[];
}

const JUDGE_FORMAT_REMINDER =
  'Output format reminder: reply with one JSON object only, exactly {"sentences": [{"index": integer, "support": "supported" | "partly" | "unsupported", "citation": integer or null, "reason": string}]}, one entry per sentence, no other text.';
const NO_USAGE = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 };

export interface ModelJudgeDeps {
  /** The judge's model: the small model through routing (answer.smallModel), else the main one. */
  chat: ChatModel;
  /** Static system text of prompts/judge.<version>.md, and its version ("judge.v1"). */
  prompt: { version: string; system: string };
  recordCall: ModelCallDeps["recordCall"];
  onInvalidOutput?: () => void;
  /** Verdicts by key (answer, cited passages, judge version, model): a repeated answer is judged once. */
  cache?: AnswerCache<CachedVerdict>;
  maxOutputTokens: number;
  logger?: Logger;
}

/** `jdg:{sha256}` over tenant, judge version, model, the answer text and each cited passage's id and content hash. */
export function judgeCacheKey(request: GroundingJudgeRequest, version: string, model: string): string {
  const passages = citedPassages(request.citations, request.passages);
  const cited = request.citations.map((citation) => [citation.n, passages.get(citation.n)?.id, passages.get(citation.n)?.metadata.contentHash]);
  const material = JSON.stringify([request.tenant, version, model, request.answer, cited]);
  return `jdg:${createHash("sha256").update(material).digest("hex")}`;
}

/** The judge's user message: the question, the answer's numbered sentences, then only the cited passages (with their own numbers). */
export function buildJudgeMessages(system: string, request: GroundingJudgeRequest, sentences: string[], extra?: string): PromptMessage[] {
  const numbered = sentences.map((sentence, index) => `(${index}) ${escapeDelimiters(sentence)}`).join("\n");
  const passages = citedPassages(request.citations, request.passages);
  const cited = [...new Set(request.citations.map((citation) => citation.n))].sort((left, right) => left - right);
  const documents = cited.flatMap((n) => (passages.has(n) ? [formatPassage(passages.get(n)!, n)] : [])).join("");
  const tail = extra ? `\n\n${extra}` : "";
  return [
    { role: "system", content: system },
    { role: "user", content: `${formatQuestion(request.question)}\n\n<answer>\n${numbered}\n</answer>\n\n<documents>\n${documents}</documents>${tail}` },
  ];
}

/** One verdict per sentence, each index once: what the schema cannot say. */
function coversEverySentence(count: number) {
  return (value: VerdictOutput): string[] => {
    const indexes = value.sentences.map((sentence) => sentence.index);
    const issues: string[] = [];
    const missing = Array.from({ length: count }, (_, index) => index).filter((index) => !indexes.includes(index));
    if (missing.length > 0) issues.push(`sentences: no verdict for sentence ${missing.join(", ")}`);
    if (indexes.some((index) => index >= count)) issues.push(`sentences: index must be below ${count}`);
    if (new Set(indexes).size !== indexes.length) issues.push("sentences: one verdict per sentence index");
    return issues;
  };
}

/**
 * The model GroundingJudge (`answer.judge.mode: model`): asks `chat` for a JSON verdict per answer
 * sentence against the passages it cites, validated with zod, in the answers' retry order (repair →
 * refined retry → degrade; no fallback model, at most 3 calls). The score is computed from the
 * sentence verdicts (supported share, partly half), not taken from the model. Calls are recorded
 * with task "judge" (metered and taken from the tenant's token budget like any model call) and
 * verdicts cached by construction (see judgeCacheKey). Never throws: a verdict that never validated,
 * a failing model or an aborted signal (the answer deadline) give `degraded: true`.
 */
export function createModelJudge(deps: ModelJudgeDeps): GroundingJudge {
  const version = deps.prompt.version;
  const callDeps: ModelCallDeps = {
    recordCall: deps.recordCall,
    onInvalidOutput: deps.onInvalidOutput,
    logger: deps.logger,
    maxOutputTokens: deps.maxOutputTokens,
  };
  const degraded = (reason: string, usage = NO_USAGE): GroundingVerdict => {
    deps.logger?.warn({ judge_version: version, reason }, "grounding judge gave no verdict; answer not checked");
    return { score: 0, sentences: [], judgeVersion: version, usage, degraded: true };
  };

  async function judge(request: GroundingJudgeRequest): Promise<GroundingVerdict> {
    const sentences = splitAnswer(request.answer);
    const key = judgeCacheKey(request, version, deps.chat.modelId);
    const cached = await deps.cache?.get(key);
    if (cached) return verdictOf(cached.sentences, NO_USAGE);
    const target = { task: "judge" as const, promptVersion: version, chat: deps.chat, tenant: request.tenant, keyId: request.keyId, signal: request.signal };
    const spec = structuredSpec("grounding_verdict", verdictOutputSchema, coversEverySentence(sentences.length));
    try {
      const result = await generateValidated(callDeps, target, spec, {
        messages: buildJudgeMessages(deps.prompt.system, request, sentences),
        refinedMessages: (issues) => buildJudgeMessages(deps.prompt.system, request, sentences, refinedInstruction(issues, JUDGE_FORMAT_REMINDER)),
        maxCalls: 3,
      });
      if (!result.value) return degraded(result.stoppedByDeadline ? "deadline" : "invalid_output", result.usage);
      const judged = [...result.value.sentences]
        .sort((left, right) => left.index - right.index)
        .map((verdict): JudgedSentence => ({
          index: verdict.index,
          text: sentences[verdict.index] ?? "",
          support: verdict.support,
          citation: verdict.citation,
          ...(verdict.support !== "supported" && verdict.reason ? { reason: verdict.reason } : {}),
        }));
      await deps.cache?.set(key, { sentences: judged });
      return verdictOf(judged, result.usage);
    } catch (error) {
      return degraded(`error: ${(error as Error).name}`);
    }
  }

  function verdictOf(sentences: JudgedSentence[], usage: GroundingVerdict["usage"]): GroundingVerdict {
    return { score: supportScore(sentences.map((sentence) => sentence.support)), sentences, judgeVersion: version, usage, degraded: false };
  }

  return { version, judge };
}
