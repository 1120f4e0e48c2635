import { unsupportedReasons } from "../../core/answer/support-check.js";
import type { AnswerExample, AnswerExampleSource } from "../../ports/answer-examples.js";
import type { Answer, Answerer, AnswerRequest, AnswerUsage } from "../../ports/answerer.js";
import type { AnswerReview, GroundingJudge, GroundingVerdict } from "../../ports/grounding-judge.js";
import type { Logger } from "../../ports/logger.js";

/** How answers are checked (config `answer.judge.minScore`, `answer.deadlineMs`, `answer.examples.enabled`). */
export interface AnswerPolicy {
  /** Below this judge score an answer is retried once, then returned with `review.needed`. */
  judgeMinScore: number;
  /** Time for the whole answer (every generation and judge call); past it the answer degrades. */
  deadlineMs: number;
  /** Ask the example source for reviewed corrections to show the model. */
  examples: boolean;
}

export const DEFAULT_ANSWER_POLICY: AnswerPolicy = { judgeMinScore: 0.6, deadlineMs: 20_000, examples: true };

/** Generation calls one answer may take in all: first try, repair, refined retry, fallback model (judge calls not counted). */
export const MAX_GENERATION_CALLS = 4;

export interface CheckDeps {
  answerer: Answerer;
  judge?: GroundingJudge | null;
  exampleSource?: AnswerExampleSource;
  logger?: Logger;
}

/** An answer with what the judge said of it; usage summed over the answer, any retry and every judge call. */
export interface CheckedAnswer {
  answer: Answer;
  usage: AnswerUsage;
  review: AnswerReview | null;
  judgeVersion: string | null;
}

/** The answer deadline: one signal aborted by the caller's signal or by `deadlineMs`; `expired()` tells the two apart. */
export function startDeadline(signal: AbortSignal | undefined, deadlineMs: number): { signal: AbortSignal; expired: () => boolean } {
  const timeout = AbortSignal.timeout(deadlineMs);
  return { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, expired: () => timeout.aborted && !signal?.aborted };
}

/** Reviewed examples for the question, when a source is configured and examples are on; a failing source means none (logged). */
export async function findExamples(deps: CheckDeps, policy: AnswerPolicy, request: AnswerRequest): Promise<AnswerExample[]> {
  if (!deps.exampleSource || !policy.examples || request.passages.length === 0) return [];
  try {
    return await deps.exampleSource.find({ tenant: request.tenant, question: request.question, signal: request.signal });
  } catch (error) {
    if (request.signal?.aborted) throw error;
    deps.logger?.warn({ error: (error as Error).message }, "answer examples unavailable; answering without them");
    return [];
  }
}

/** The review an answer carries from a verdict: `needed` below the threshold; a degraded verdict flags nothing but says so. */
export function reviewOf(verdict: GroundingVerdict, minScore: number): AnswerReview {
  if (verdict.degraded)
    return { needed: false, score: verdict.score, reasons: [`grounding judge ${verdict.judgeVersion} gave no verdict: the answer was not checked`] };
  return { needed: verdict.score < minScore, score: verdict.score, reasons: unsupportedReasons(verdict.sentences) };
}

/** Whether an answer is judged: only an answer made from passages (not a refusal, not the no-context path). */
export function isJudged(deps: CheckDeps, answer: Answer, request: AnswerRequest): boolean {
  return Boolean(deps.judge) && answer.outcome === "answered" && answer.answer !== null && request.passages.length > 0;
}

/** The judge's verdict on an answer (call only when isJudged). */
export function judgeAnswer(deps: CheckDeps, answer: Answer, request: AnswerRequest): Promise<GroundingVerdict> {
  return deps.judge!.judge({
    tenant: request.tenant,
    keyId: request.keyId,
    question: request.question,
    answer: answer.answer!,
    citations: answer.citations,
    passages: request.passages,
    signal: request.signal,
  });
}

export function addUsage(...parts: AnswerUsage[]): AnswerUsage {
  return parts.reduce(
    (sum, part) => ({
      inputTokens: sum.inputTokens + part.inputTokens,
      outputTokens: sum.outputTokens + part.outputTokens,
      cachedTokens: sum.cachedTokens + part.cachedTokens,
      costUsd: sum.costUsd + part.costUsd,
    }),
    { inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 },
  );
}

/**
 * Answers, judges, and retries once when the verdict is below `judgeMinScore`: the retry's prompt
 * states the unsupported sentences, and it gets the generation calls the first answer left (of
 * MAX_GENERATION_CALLS). The retried answer is returned, flagged if still below; a retry that fails
 * (no valid output, an upstream error, the deadline) keeps the first answer, flagged. A cached
 * answer is never retried (its verdict comes from the judge's cache). `request.signal` carries the deadline.
 */
export async function answerChecked(deps: CheckDeps, policy: AnswerPolicy, request: AnswerRequest): Promise<CheckedAnswer> {
  const first = await deps.answerer.answer(request);
  if (!isJudged(deps, first, request)) return { answer: first, usage: first.usage, review: null, judgeVersion: null };
  const verdict = await judgeAnswer(deps, first, request);
  const review = reviewOf(verdict, policy.judgeMinScore);
  const checked: CheckedAnswer = { answer: first, usage: addUsage(first.usage, verdict.usage), review, judgeVersion: verdict.judgeVersion };
  const callsLeft = MAX_GENERATION_CALLS - (first.calls ?? 0);
  if (!review.needed || first.cached || !deps.answerer.capabilities.retries || callsLeft <= 0 || request.signal?.aborted) return checked;

  deps.logger?.info({ score: review.score, judge_version: verdict.judgeVersion, calls_left: callsLeft }, "answer below the judge threshold; refined retry");
  let retried: Answer;
  try {
    retried = await deps.answerer.answer({ ...request, retry: { problems: review.reasons, maxCalls: callsLeft } });
  } catch (error) {
    deps.logger?.warn({ error: (error as Error).name }, "refined retry failed; returning the first answer flagged");
    return checked;
  }
  if (!isJudged(deps, retried, request)) return { ...checked, usage: addUsage(checked.usage, retried.usage) };
  const second = await judgeAnswer(deps, retried, request);
  return {
    answer: retried,
    usage: addUsage(checked.usage, retried.usage, second.usage),
    review: reviewOf(second, policy.judgeMinScore),
    judgeVersion: second.judgeVersion,
  };
}
