import { z } from "@hono/zod-openapi";
import type { FeedbackRecord, ReviewRecord } from "../ports/review-repository.js";
import { citationSchema } from "./query-schemas.js";
import { citationJson } from "./serialize.js";

/** Longest corrected answer or comment accepted (characters). */
const MAX_CORRECTION_CHARS = 16_000;
const MAX_COMMENT_CHARS = 2_000;

export const REVIEW_STATES = ["pending", "approved", "rejected", "corrected"] as const;

const REVIEW_EXAMPLE = {
  id: "rev_0f6c5a1e9b2d4c7a8e3f1b2c3d4e5f60",
  answer_id: "ans_7d1e2f3a4b5c6d7e8f9a0b1c2d3e4f50",
  feedback_id: null,
  question: "Can kiwis fly?",
  answer: "Kiwis fly short distances at night. [1]",
  citations: [{ n: 1, document_id: "birds", chunk_id: "0196…", start: 0, end: 27, score: 0.1667, snippet: "Kiwis are flightless birds." }],
  score: 0.4,
  reasons: ['sentence 1 "Kiwis fly short distances at night." is not supported by [1]'],
  judge_version: "local-support.v1",
  prompt_version: "answer.v1",
  proposed_answer: null,
  state: "corrected",
  corrected_answer: "No: kiwis are flightless birds. [1]",
  comment: "the passage says flightless",
  example_id: "fb_3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c80",
  created_at: "2026-11-27T10:00:00.000Z",
  decided_at: "2026-11-27T10:05:00.000Z",
  decided_by: "5f1e2d3c4b5a6978",
};

export const reviewSchema = z
  .object({
    id: z.string(),
    answer_id: z.string(),
    feedback_id: z.string().nullable().openapi({
      description: "The feedback that opened the review (a correction or down rating from a key without `review`); null when the judge flagged the answer",
    }),
    question: z.string(),
    answer: z.string().nullable(),
    citations: z.array(citationSchema),
    score: z.number().nullable().openapi({ description: "The grounding judge's score (0–1); null when no judge scored the answer" }),
    reasons: z.array(z.string()),
    judge_version: z.string().nullable(),
    prompt_version: z.string().nullable(),
    proposed_answer: z.string().nullable().openapi({ description: "The correction the feedback proposed: what `approve` turns into an example" }),
    state: z.enum(REVIEW_STATES),
    corrected_answer: z.string().nullable(),
    comment: z.string().nullable(),
    example_id: z
      .string()
      .nullable()
      .openapi({ description: "The few-shot example the decision created (a feedback id: DELETE /v1/feedback/{id} removes it)" }),
    created_at: z.string(),
    decided_at: z.string().nullable(),
    decided_by: z.string().nullable().openapi({ description: "Id of the key that decided" }),
  })
  .openapi("Review", { example: REVIEW_EXAMPLE });

export const reviewPageSchema = z.object({ reviews: z.array(reviewSchema), next_cursor: z.string().nullable() }).openapi("ReviewPage", {
  example: {
    reviews: [{ ...REVIEW_EXAMPLE, state: "pending", corrected_answer: null, comment: null, example_id: null, decided_at: null, decided_by: null }],
    next_cursor: null,
  },
});

export const reviewListQuerySchema = z.object({
  state: z.enum(REVIEW_STATES, { message: "state must be one of pending, approved, rejected, corrected" }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional().openapi({ description: "`next_cursor` of the previous page" }),
});

const correctionSchema = z.string().min(1, "must not be empty").max(MAX_CORRECTION_CHARS);
const commentSchema = z.string().max(MAX_COMMENT_CHARS);

export const decideReviewSchema = z
  .strictObject({
    action: z.enum(["approve", "reject", "correct"]).openapi({
      description:
        "`approve`: the proposed correction, or else the answer as given, becomes an example; `correct`: corrected_answer does; `reject`: nothing does",
    }),
    corrected_answer: correctionSchema.optional().openapi({ description: "Required with `correct`, refused otherwise" }),
    comment: commentSchema.optional(),
  })
  .openapi("ReviewDecision", {
    example: { action: "correct", corrected_answer: "No: kiwis are flightless birds. [1]", comment: "the passage says flightless" },
  });

export const feedbackBodySchema = z
  .strictObject({
    rating: z.enum(["up", "down"]),
    corrected_answer: correctionSchema.optional().openapi({
      description:
        "What the answer should have been (rating down). From a `review` key it becomes an example at once; from any other key it opens a pending review",
    }),
    comment: commentSchema.optional(),
  })
  .openapi("FeedbackRequest", { example: { rating: "down", corrected_answer: "No: kiwis are flightless birds.", comment: "they cannot fly" } });

export const feedbackSchema = z
  .object({
    id: z.string(),
    answer_id: z.string(),
    rating: z.enum(["up", "down"]),
    corrected_answer: z.string().nullable(),
    comment: z.string().nullable(),
    created_at: z.string(),
    review_id: z.string().nullable().openapi({ description: "The pending review this feedback opened; null when none" }),
    example_id: z.string().nullable().openapi({ description: "The example this correction became at once (a `review` key); null when none" }),
  })
  .openapi("Feedback", {
    example: {
      id: "fb_3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c80",
      answer_id: "ans_7d1e2f3a4b5c6d7e8f9a0b1c2d3e4f50",
      rating: "down",
      corrected_answer: "No: kiwis are flightless birds.",
      comment: null,
      created_at: "2026-11-27T10:01:00.000Z",
      review_id: "rev_0f6c5a1e9b2d4c7a8e3f1b2c3d4e5f60",
      example_id: null,
    },
  });

export const deletedFeedbackSchema = z
  .object({
    id: z.string(),
    example_removed: z.boolean().openapi({ description: "An example made from this feedback left every future prompt" }),
    reviews_closed: z.number().int().openapi({ description: "Pending reviews it opened, now closed as rejected" }),
  })
  .openapi("DeletedFeedback", { example: { id: "fb_3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c80", example_removed: true, reviews_closed: 0 } });

/** Wire shape of a review. */
export function reviewJson(review: ReviewRecord): z.infer<typeof reviewSchema> {
  return {
    id: review.id,
    answer_id: review.answerId,
    feedback_id: review.feedbackId,
    question: review.question,
    answer: review.answer,
    citations: review.citations.map(citationJson),
    score: review.score,
    reasons: review.reasons,
    judge_version: review.judgeVersion,
    prompt_version: review.promptVersion,
    proposed_answer: review.proposedAnswer,
    state: review.state,
    corrected_answer: review.correctedAnswer,
    comment: review.comment,
    example_id: review.exampleId,
    created_at: review.createdAt,
    decided_at: review.decidedAt,
    decided_by: review.decidedBy,
  };
}

/** Wire shape of stored feedback with what it opened or created. */
export function feedbackJson(feedback: FeedbackRecord, created: { reviewId: string | null; exampleId: string | null }): z.infer<typeof feedbackSchema> {
  return {
    id: feedback.id,
    answer_id: feedback.answerId,
    rating: feedback.rating,
    corrected_answer: feedback.correctedAnswer,
    comment: feedback.comment,
    created_at: feedback.createdAt,
    review_id: created.reviewId,
    example_id: created.exampleId,
  };
}
