import { randomUUID } from "node:crypto";
import type { Embedder } from "../../ports/embedder.js";
import type { AnswerRecord, ReviewRecord, ReviewRepository, StoredExample } from "../../ports/review-repository.js";

/** Embeds a question for an example: the service's query embedder (through its cache), so a query and its examples share one vector space. */
export type QuestionEmbedder = Pick<Embedder, "modelId" | "embed">;

/** What the review use cases share: the repository and the clock. */
export interface ReviewStateDeps {
  reviews: ReviewRepository;
  now?: () => Date;
}

/** A new id with its kind's prefix (`ans`, `rev`, `fb`): random, unguessable across tenants. */
export function newId(prefix: "ans" | "rev" | "fb"): string {
  return `${prefix}_${randomUUID().replaceAll("-", "")}`;
}

/** The current time as the ISO-8601 UTC text every record stores. */
export function timestamp(deps: ReviewStateDeps): string {
  return (deps.now?.() ?? new Date()).toISOString();
}

/** A pending review of `answer`, opened now for `reasons` (the judge's verdict, or a user's feedback). */
export function pendingReview(
  answer: AnswerRecord,
  opened: { reasons: string[]; score: number | null; judgeVersion: string | null; feedbackId?: string; proposedAnswer?: string | null; createdAt: string },
): ReviewRecord {
  return {
    id: newId("rev"),
    tenant: answer.tenant,
    answerId: answer.id,
    feedbackId: opened.feedbackId ?? null,
    question: answer.question,
    answer: answer.answer,
    citations: answer.citations,
    score: opened.score,
    reasons: opened.reasons,
    judgeVersion: opened.judgeVersion,
    promptVersion: answer.promptVersion,
    proposedAnswer: opened.proposedAnswer ?? null,
    state: "pending",
    correctedAnswer: null,
    comment: null,
    exampleId: null,
    createdAt: opened.createdAt,
    decidedAt: null,
    decidedBy: null,
  };
}

/** A reviewed example (id: the feedback it comes from) with its question embedded now, for the tenant's usage. */
export async function embeddedExample(
  embedder: QuestionEmbedder,
  example: { id: string; tenant: string; question: string; answer: string; reviewId: string | null; createdAt: string },
): Promise<StoredExample> {
  const [embedding] = await embedder.embed([example.question], { tenant: example.tenant });
  if (!embedding) throw new Error("the embedder returned no vector for the example's question");
  return { ...example, embedding, embeddingModel: embedder.modelId };
}
