import type { Insertable, Selectable } from "kysely";
import type { Citation } from "../../../core/answer/passages.js";
import type { AnswerReview } from "../../../ports/grounding-judge.js";
import type { AnswerRecord, FeedbackRecord, ReviewRecord, ReviewState, StoredExample } from "../../../ports/review-repository.js";
import type { AnswerExamplesTable, AnswersTable, FeedbackTable, ReviewsTable } from "../../sql/sql-schema.js";

// Records ↔ rows of the answer, review, feedback and example tables (JSON as text, vectors as base64 float32).

/** A vector as little-endian float32 bytes in base64 (a quarter of its JSON size). */
export function encodeEmbedding(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString("base64");
}

export function decodeEmbedding(encoded: string): number[] {
  const bytes = Buffer.from(encoded, "base64");
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 4)));
}

export function answerRow(record: AnswerRecord): Insertable<AnswersTable> {
  return {
    id: record.id,
    tenant: record.tenant,
    key_id: record.keyId,
    question: record.question,
    answer: record.answer,
    citations: JSON.stringify(record.citations),
    answer_status: record.answerStatus,
    prompt_version: record.promptVersion,
    model: record.model,
    judge_version: record.judgeVersion,
    review: record.review ? JSON.stringify(record.review) : null,
    examples: JSON.stringify(record.examples),
    created_at: record.createdAt,
  };
}

export function answerFromRow(row: Selectable<AnswersTable>): AnswerRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    keyId: row.key_id,
    question: row.question,
    answer: row.answer,
    citations: JSON.parse(row.citations) as Citation[],
    answerStatus: row.answer_status,
    promptVersion: row.prompt_version,
    model: row.model,
    judgeVersion: row.judge_version,
    review: row.review ? (JSON.parse(row.review) as AnswerReview) : null,
    examples: JSON.parse(row.examples) as string[],
    createdAt: row.created_at,
  };
}

export function reviewRow(record: ReviewRecord): Insertable<ReviewsTable> {
  return {
    id: record.id,
    tenant: record.tenant,
    answer_id: record.answerId,
    feedback_id: record.feedbackId,
    question: record.question,
    answer: record.answer,
    citations: JSON.stringify(record.citations),
    score: record.score,
    reasons: JSON.stringify(record.reasons),
    judge_version: record.judgeVersion,
    prompt_version: record.promptVersion,
    proposed_answer: record.proposedAnswer,
    state: record.state,
    corrected_answer: record.correctedAnswer,
    comment: record.comment,
    example_id: record.exampleId,
    created_at: record.createdAt,
    decided_at: record.decidedAt,
    decided_by: record.decidedBy,
  };
}

export function reviewFromRow(row: Selectable<ReviewsTable>): ReviewRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    answerId: row.answer_id,
    feedbackId: row.feedback_id,
    question: row.question,
    answer: row.answer,
    citations: JSON.parse(row.citations) as Citation[],
    score: row.score === null ? null : Number(row.score),
    reasons: JSON.parse(row.reasons) as string[],
    judgeVersion: row.judge_version,
    promptVersion: row.prompt_version,
    proposedAnswer: row.proposed_answer,
    state: row.state as ReviewState,
    correctedAnswer: row.corrected_answer,
    comment: row.comment,
    exampleId: row.example_id,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
  };
}

export function feedbackRow(record: FeedbackRecord): Insertable<FeedbackTable> {
  return {
    id: record.id,
    tenant: record.tenant,
    answer_id: record.answerId,
    key_id: record.keyId,
    rating: record.rating,
    corrected_answer: record.correctedAnswer,
    comment: record.comment,
    created_at: record.createdAt,
  };
}

export function feedbackFromRow(row: Selectable<FeedbackTable>): FeedbackRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    answerId: row.answer_id,
    keyId: row.key_id,
    rating: row.rating === "up" ? "up" : "down",
    correctedAnswer: row.corrected_answer,
    comment: row.comment,
    createdAt: row.created_at,
  };
}

export function exampleRow(record: StoredExample): Insertable<AnswerExamplesTable> {
  return {
    id: record.id,
    tenant: record.tenant,
    question: record.question,
    answer: record.answer,
    embedding: encodeEmbedding(record.embedding),
    embedding_model: record.embeddingModel,
    review_id: record.reviewId,
    created_at: record.createdAt,
  };
}

export function exampleFromRow(row: Selectable<AnswerExamplesTable>): StoredExample {
  return {
    id: row.id,
    tenant: row.tenant,
    question: row.question,
    answer: row.answer,
    embedding: decodeEmbedding(row.embedding),
    embeddingModel: row.embedding_model,
    reviewId: row.review_id,
    createdAt: row.created_at,
  };
}
