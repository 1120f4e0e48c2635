import { ConflictError, NotFoundError, ValidationError } from "../../core/errors.js";
import type { FeedbackRecord, ReviewPage, ReviewRecord, ReviewState, StoredExample } from "../../ports/review-repository.js";
import { embeddedExample, newId, timestamp, type QuestionEmbedder, type ReviewStateDeps } from "./review-state.js";

export type ReviewAction = "approve" | "reject" | "correct";

export interface DecideReviewInput {
  tenant: string;
  reviewId: string;
  action: ReviewAction;
  /** Required by `correct`, refused by the other actions. */
  correctedAnswer?: string;
  comment?: string;
  /** The reviewing key's id. */
  decidedBy: string;
}

const STATE_OF: Record<ReviewAction, Exclude<ReviewState, "pending">> = { approve: "approved", reject: "rejected", correct: "corrected" };

/** The tenant's reviews, newest first, optionally in one state, page by page. */
export function listReviews(deps: ReviewStateDeps, input: { tenant: string; state?: ReviewState; limit: number; cursor?: string }): Promise<ReviewPage> {
  return deps.reviews.listReviews(input);
}

function checkedText(input: DecideReviewInput): string | null {
  const text = input.correctedAnswer?.trim() ?? "";
  if (input.action === "correct" && text === "") {
    throw new ValidationError("correct needs the corrected answer", [{ path: "corrected_answer", message: "Required (non-empty) when action is correct" }]);
  }
  if (input.action !== "correct" && input.correctedAnswer !== undefined) {
    throw new ValidationError(`${input.action} takes no corrected answer`, [{ path: "corrected_answer", message: "Only with action correct" }]);
  }
  return input.action === "correct" ? text : null;
}

/**
 * Decides a pending review once (a `review` key): `approve` — the proposed correction (a user's
 * feedback) or else the answer as given becomes an example; `correct` — the corrected text becomes
 * an example; `reject` — nothing does. An example is recorded as feedback of the reviewer (or the
 * user's own feedback, when approved), whose id it takes: deleting that feedback removes it.
 * 400 when `correct` lacks the text (or another action has one), 404 for an unknown id or another
 * tenant's, 409 when the review is already decided (also when another reviewer decided it first).
 */
export async function decideReview(deps: ReviewStateDeps & { embedder: QuestionEmbedder }, input: DecideReviewInput): Promise<ReviewRecord> {
  const correctedAnswer = checkedText(input);
  const review = await deps.reviews.getReview(input.tenant, input.reviewId);
  if (!review) throw new NotFoundError(`review ${input.reviewId} not found`);
  if (review.state !== "pending") throw alreadyDecided(review);

  const decidedAt = timestamp(deps);
  const created = await createdBy(deps, review, input, { correctedAnswer, decidedAt });
  const decided = await deps.reviews.decideReview(
    input.tenant,
    review.id,
    {
      state: STATE_OF[input.action],
      correctedAnswer,
      comment: input.comment ?? null,
      exampleId: created.example?.id ?? null,
      decidedAt,
      decidedBy: input.decidedBy,
    },
    created,
  );
  if (decided) return decided;
  // Another reviewer (or the feedback's deletion) closed it since it was read.
  throw alreadyDecided((await deps.reviews.getReview(input.tenant, review.id)) ?? review);
}

function alreadyDecided(review: ReviewRecord): ConflictError {
  return new ConflictError(`review ${review.id} is already ${review.state}`, { details: { state: review.state } });
}

/** The reviewer's feedback and the example a decision creates (none for `reject`, or for approving an answer that has no text). */
async function createdBy(
  deps: { embedder: QuestionEmbedder },
  review: ReviewRecord,
  input: DecideReviewInput,
  decision: { correctedAnswer: string | null; decidedAt: string },
): Promise<{ feedback?: FeedbackRecord; example?: StoredExample }> {
  if (input.action === "reject") return {};
  const example = (id: string, answer: string) =>
    embeddedExample(deps.embedder, { id, tenant: review.tenant, question: review.question, answer, reviewId: review.id, createdAt: decision.decidedAt });
  // Approving a user's correction: the example is that feedback's (deleting it removes the example).
  if (input.action === "approve" && review.feedbackId !== null && review.proposedAnswer !== null) {
    return { example: await example(review.feedbackId, review.proposedAnswer) };
  }
  const text = decision.correctedAnswer ?? review.answer;
  if (text === null) return {};
  const feedback: FeedbackRecord = {
    id: newId("fb"),
    tenant: review.tenant,
    answerId: review.answerId,
    keyId: input.decidedBy,
    rating: input.action === "correct" ? "down" : "up",
    correctedAnswer: decision.correctedAnswer,
    comment: input.comment ?? null,
    createdAt: decision.decidedAt,
  };
  return { feedback, example: await example(feedback.id, text) };
}
