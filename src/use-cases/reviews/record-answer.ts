import type { AnswerReview } from "../../ports/grounding-judge.js";
import type { AnswerRecord } from "../../ports/review-repository.js";
import type { QueryResult } from "../answer-query.js";
import { newId, pendingReview, timestamp, type ReviewStateDeps } from "./review-state.js";

/** What of a query result is recorded. */
export type RecordedResult = Pick<QueryResult, "answerStatus" | "answer" | "citations" | "promptVersion" | "model" | "review" | "judgeVersion" | "examples">;

/**
 * Records an answer given in answer mode and returns its `answer_id` (`ans_…`); an answer whose
 * `review.needed` is true is queued for review (`pending`) in the same transaction. Throws when the
 * database does: the caller decides whether that fails its request (the query route does not).
 */
export async function recordAnswer(
  deps: ReviewStateDeps,
  input: { tenant: string; keyId?: string; question: string; result: RecordedResult },
): Promise<string> {
  const { result } = input;
  const answer: AnswerRecord = {
    id: newId("ans"),
    tenant: input.tenant,
    keyId: input.keyId ?? null,
    question: input.question,
    answer: result.answer,
    citations: result.citations,
    answerStatus: result.answerStatus,
    promptVersion: result.promptVersion,
    model: result.model,
    judgeVersion: result.judgeVersion,
    review: result.review,
    examples: result.examples,
    createdAt: timestamp(deps),
  };
  const review = result.review?.needed
    ? pendingReview(answer, { reasons: result.review.reasons, score: result.review.score, judgeVersion: result.judgeVersion, createdAt: answer.createdAt })
    : null;
  await deps.reviews.insertAnswer(answer, review);
  return answer.id;
}

/**
 * Attaches a verdict that came after the answer was recorded (a streamed answer's `review` event),
 * queuing the answer for review when `review.needed`. Returns false when the answer is unknown.
 */
export async function attachAnswerReview(
  deps: ReviewStateDeps,
  input: { tenant: string; answerId: string; review: AnswerReview; judgeVersion: string },
): Promise<boolean> {
  const answer = await deps.reviews.getAnswer(input.tenant, input.answerId);
  if (!answer) return false;
  const { review, judgeVersion } = input;
  const queued = review.needed ? pendingReview(answer, { reasons: review.reasons, score: review.score, judgeVersion, createdAt: timestamp(deps) }) : null;
  return deps.reviews.attachReview(input.tenant, input.answerId, { review, judgeVersion }, queued);
}
