import type { Citation } from "../core/answer/passages.js";
import type { AnswerReview } from "./grounding-judge.js";

/** Where a review stands: `pending` in the queue, or decided once (`approved`, `rejected`, `corrected`). */
export type ReviewState = "pending" | "approved" | "rejected" | "corrected";

/** One answer the service gave (answer mode only), as `answer_id` names it. Times are ISO-8601 UTC. */
export interface AnswerRecord {
  /** `ans_…` */
  id: string;
  tenant: string;
  /** The API key that asked; null when not known. */
  keyId: string | null;
  question: string;
  /** Null when the model output never validated. */
  answer: string | null;
  citations: Citation[];
  answerStatus: string;
  promptVersion: string | null;
  model: string | null;
  judgeVersion: string | null;
  /** The judge's verdict; null until (or unless) a judge gave one. */
  review: AnswerReview | null;
  /** Ids of the examples shown to the model. */
  examples: string[];
  createdAt: string;
}

/** A rating of an answer, optionally with the text it should have been. */
export interface FeedbackRecord {
  /** `fb_…`; also the id of the example made from it, if any. */
  id: string;
  tenant: string;
  answerId: string;
  keyId: string | null;
  rating: "up" | "down";
  correctedAnswer: string | null;
  comment: string | null;
  createdAt: string;
}

/** An answer in the review queue: flagged by the judge, or a correction from a key that cannot review. */
export interface ReviewRecord {
  /** `rev_…` */
  id: string;
  tenant: string;
  answerId: string;
  /** The feedback that opened it (a user correction); null when the judge flagged the answer. */
  feedbackId: string | null;
  question: string;
  answer: string | null;
  citations: Citation[];
  /** The judge's score; null when no judge scored the answer. */
  score: number | null;
  reasons: string[];
  judgeVersion: string | null;
  promptVersion: string | null;
  /** The correction the feedback proposed (what `approve` turns into an example). */
  proposedAnswer: string | null;
  state: ReviewState;
  correctedAnswer: string | null;
  comment: string | null;
  /** The example the decision created (the id of the feedback it came from); null when none. */
  exampleId: string | null;
  createdAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
}

/** A reviewed question/answer pair with its question's embedding (what the example source compares). */
export interface StoredExample {
  /** The feedback id it came from. */
  id: string;
  tenant: string;
  question: string;
  answer: string;
  embedding: number[];
  /** The embedder that made `embedding` (a vector of another model is re-embedded before use). */
  embeddingModel: string;
  /** The review that approved it; null when a `review` key gave the correction directly. */
  reviewId: string | null;
  createdAt: string;
}

/** How a pending review is closed. */
export interface ReviewDecision {
  state: Exclude<ReviewState, "pending">;
  correctedAnswer: string | null;
  comment: string | null;
  exampleId: string | null;
  decidedAt: string;
  decidedBy: string;
}

export interface ReviewPage {
  reviews: ReviewRecord[];
  nextCursor: string | null;
}

/**
 * Port for the state of answers, reviews, feedback and examples (SQLite embedded, PostgreSQL in server
 * mode; one Kysely code). Every read and write is scoped by tenant: another tenant's id is not found.
 * Contract:
 * - `insertAnswer` stores the answer and, when given, its review in one transaction;
 * - `attachReview` sets a stored answer's verdict (and queues `queued` with it); false for an unknown answer;
 * - `listReviews` is newest first (ties by id), optionally in one state, paginated by an opaque cursor;
 * - `decideReview` closes a pending review once: the decision, the reviewer's feedback and the example
 *   are written together, or nothing is and it returns null (the review was not pending any more);
 * - `insertFeedback` writes the feedback with the review it opens or the example it makes, together;
 * - `deleteFeedback` removes the feedback and the example made from it, and closes the pending reviews
 *   it opened as `rejected` — together; null for an unknown id;
 * - `examplesVersion` changes whenever the tenant's set of examples does (a cache key).
 */
export interface ReviewRepository {
  insertAnswer(answer: AnswerRecord, review: ReviewRecord | null): Promise<void>;
  getAnswer(tenant: string, id: string): Promise<AnswerRecord | null>;
  attachReview(tenant: string, answerId: string, verdict: { review: AnswerReview; judgeVersion: string }, queued: ReviewRecord | null): Promise<boolean>;
  getReview(tenant: string, id: string): Promise<ReviewRecord | null>;
  listReviews(options: { tenant: string; state?: ReviewState; limit: number; cursor?: string | null }): Promise<ReviewPage>;
  decideReview(
    tenant: string,
    id: string,
    decision: ReviewDecision,
    created: { feedback?: FeedbackRecord; example?: StoredExample },
  ): Promise<ReviewRecord | null>;
  insertFeedback(feedback: FeedbackRecord, created: { review?: ReviewRecord; example?: StoredExample }): Promise<void>;
  getFeedback(tenant: string, id: string): Promise<FeedbackRecord | null>;
  deleteFeedback(tenant: string, id: string, close: { at: string; by: string }): Promise<{ exampleRemoved: boolean; reviewsClosed: number } | null>;
  examplesVersion(tenant: string): Promise<string>;
  listExamples(tenant: string): Promise<StoredExample[]>;
  updateExampleEmbeddings(tenant: string, updates: Array<{ id: string; embedding: number[]; embeddingModel: string }>): Promise<void>;
}
