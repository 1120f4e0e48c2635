import { ForbiddenError, NotFoundError, ValidationError } from "../../core/errors.js";
import type { FeedbackRecord, ReviewRecord, StoredExample } from "../../ports/review-repository.js";
import { embeddedExample, newId, pendingReview, timestamp, type QuestionEmbedder, type ReviewStateDeps } from "./review-state.js";

export interface SubmitFeedbackInput {
  tenant: string;
  keyId: string | null;
  /** Whether the key has the `review` scope: only then does its correction become an example directly. */
  reviewer: boolean;
  answerId: string;
  rating: "up" | "down";
  correctedAnswer?: string;
  comment?: string;
}

export interface SubmittedFeedback {
  feedback: FeedbackRecord;
  /** The pending review the feedback opened; null when none. */
  reviewId: string | null;
  /** The example the correction became (the feedback's id); null when none. */
  exampleId: string | null;
}

/** Why a key without the `review` scope sends an answer to the queue. */
export const USER_CORRECTION_REASON = "user correction";
export const USER_DOWN_RATING_REASON = "user rated the answer down";

/**
 * Stores feedback on one of the tenant's answers (404 otherwise). A correction (`rating: down` with
 * `corrected_answer`; with `up` it is a 400) from a `review` key becomes an example at once; from any
 * other key it never does directly: it opens a pending review ("user correction") that a reviewer may
 * approve or correct. A `down` rating without a correction from a non-reviewer opens one too.
 */
export async function submitFeedback(deps: ReviewStateDeps & { embedder: QuestionEmbedder }, input: SubmitFeedbackInput): Promise<SubmittedFeedback> {
  const correctedAnswer = input.correctedAnswer?.trim() || null;
  if (input.correctedAnswer !== undefined && correctedAnswer === null) {
    throw new ValidationError("corrected_answer is empty", [{ path: "corrected_answer", message: "Must not be empty" }]);
  }
  if (correctedAnswer !== null && input.rating !== "down") {
    throw new ValidationError("a correction comes with rating down", [{ path: "rating", message: "Must be down when corrected_answer is given" }]);
  }
  const answer = await deps.reviews.getAnswer(input.tenant, input.answerId);
  if (!answer) throw new NotFoundError(`answer ${input.answerId} not found`);

  const createdAt = timestamp(deps);
  const feedback: FeedbackRecord = {
    id: newId("fb"),
    tenant: input.tenant,
    answerId: answer.id,
    keyId: input.keyId,
    rating: input.rating,
    correctedAnswer,
    comment: input.comment ?? null,
    createdAt,
  };
  let review: ReviewRecord | undefined;
  let example: StoredExample | undefined;
  if (input.reviewer && correctedAnswer !== null) {
    example = await embeddedExample(deps.embedder, {
      id: feedback.id,
      tenant: input.tenant,
      question: answer.question,
      answer: correctedAnswer,
      reviewId: null,
      createdAt,
    });
  } else if (!input.reviewer && input.rating === "down") {
    const reasons = [correctedAnswer !== null ? USER_CORRECTION_REASON : USER_DOWN_RATING_REASON];
    const opened = {
      reasons,
      score: answer.review?.score ?? null,
      judgeVersion: answer.judgeVersion,
      feedbackId: feedback.id,
      proposedAnswer: correctedAnswer,
      createdAt,
    };
    review = pendingReview(answer, opened);
  }
  await deps.reviews.insertFeedback(feedback, { review, example });
  return { feedback, reviewId: review?.id ?? null, exampleId: example?.id ?? null };
}

/**
 * Deletes one of the tenant's feedback (404 otherwise): the example made from it leaves every future
 * prompt, and a review it opened that is still pending is closed as rejected. A key without the
 * `review` scope may delete only the feedback it gave (403 otherwise).
 */
export async function deleteFeedback(
  deps: ReviewStateDeps,
  input: { tenant: string; keyId: string | null; reviewer: boolean; feedbackId: string },
): Promise<{ exampleRemoved: boolean; reviewsClosed: number }> {
  const feedback = await deps.reviews.getFeedback(input.tenant, input.feedbackId);
  if (!feedback) throw new NotFoundError(`feedback ${input.feedbackId} not found`);
  if (!input.reviewer && feedback.keyId !== input.keyId) {
    throw new ForbiddenError("only a review key or the key that gave it may delete this feedback", { details: { required_scope: "review" } });
  }
  const deleted = await deps.reviews.deleteFeedback(input.tenant, feedback.id, { at: timestamp(deps), by: input.keyId ?? "unknown" });
  if (!deleted) throw new NotFoundError(`feedback ${input.feedbackId} not found`);
  return deleted;
}
