import { describe, expect, it } from "vitest";
import { SqlReviewRepository } from "../../src/adapters/review-repository/sql/sql-review-repository.js";
import type { AnswerRecord, FeedbackRecord, ReviewRecord, StoredExample } from "../../src/ports/review-repository.js";
import { openTestPostgres, openTestSqlite, postgresForTests, type TestSqlState } from "../helpers/test-database.js";

const CITATION = { n: 1, documentId: "doc_1", chunkId: "chunk-1", start: 0, end: 12, score: 0.5, snippet: "Kiwis are birds" };

function answer(tenant: string, id: string, createdAt = "2026-11-27T10:00:00.000Z"): AnswerRecord {
  return {
    id,
    tenant,
    keyId: "key-1",
    question: "Can kiwis fly?",
    answer: "Kiwis cannot fly. [1]",
    citations: [CITATION],
    answerStatus: "answered",
    promptVersion: "answer.v1",
    model: "small",
    judgeVersion: null,
    review: null,
    examples: ["fb_old"],
    createdAt,
  };
}

function review(of: AnswerRecord, id: string, createdAt: string, overrides: Partial<ReviewRecord> = {}): ReviewRecord {
  return {
    id,
    tenant: of.tenant,
    answerId: of.id,
    feedbackId: null,
    question: of.question,
    answer: of.answer,
    citations: of.citations,
    score: 0.4,
    reasons: ["sentence 1 unsupported"],
    judgeVersion: "local.v1",
    promptVersion: of.promptVersion,
    proposedAnswer: null,
    state: "pending",
    correctedAnswer: null,
    comment: null,
    exampleId: null,
    createdAt,
    decidedAt: null,
    decidedBy: null,
    ...overrides,
  };
}

function feedback(of: AnswerRecord, id: string, overrides: Partial<FeedbackRecord> = {}): FeedbackRecord {
  return {
    id,
    tenant: of.tenant,
    answerId: of.id,
    keyId: "key-2",
    rating: "down",
    correctedAnswer: "No.",
    comment: null,
    createdAt: "2026-11-27T11:00:00.000Z",
    ...overrides,
  };
}

function example(tenant: string, id: string, createdAt = "2026-11-27T12:00:00.000Z"): StoredExample {
  return {
    id,
    tenant,
    question: "Can kiwis fly?",
    answer: "No, kiwis are flightless.",
    embedding: [0.6, 0.8, 0, 0.1],
    embeddingModel: "local",
    reviewId: null,
    createdAt,
  };
}

function runReviewRepositoryContract(name: string, open: () => Promise<TestSqlState>): void {
  describe(`ReviewRepository: ${name}`, () => {
    const withRepository = (body: (repository: SqlReviewRepository) => Promise<void>) => async () => {
      const { state, cleanup } = await open();
      try {
        await body(new SqlReviewRepository(state));
      } finally {
        await cleanup();
      }
    };

    it(
      "records an answer with its queued review, reads it only in its tenant, attaches a later verdict",
      withRepository(async (repository) => {
        const flagged = answer("alpha", "ans_1");
        await repository.insertAnswer(
          { ...flagged, review: { needed: true, score: 0.4, reasons: ["x"] }, judgeVersion: "local.v1" },
          review(flagged, "rev_1", flagged.createdAt),
        );
        expect(await repository.getAnswer("alpha", "ans_1")).toMatchObject({
          citations: [CITATION],
          examples: ["fb_old"],
          review: { needed: true, score: 0.4 },
        });
        expect(await repository.getAnswer("beta", "ans_1")).toBeNull();
        expect(await repository.getReview("alpha", "rev_1")).toMatchObject({
          answerId: "ans_1",
          state: "pending",
          score: 0.4,
          reasons: ["sentence 1 unsupported"],
        });
        expect(await repository.getReview("beta", "rev_1")).toBeNull();

        const streamed = answer("alpha", "ans_2");
        await repository.insertAnswer(streamed, null);
        const verdict = { review: { needed: true, score: 0.2, reasons: ["late"] }, judgeVersion: "local.v2" };
        expect(await repository.attachReview("beta", "ans_2", verdict, null)).toBe(false);
        expect(await repository.attachReview("alpha", "ans_2", verdict, review(streamed, "rev_2", "2026-11-27T10:00:01.000Z"))).toBe(true);
        expect(await repository.getAnswer("alpha", "ans_2")).toMatchObject({ review: verdict.review, judgeVersion: "local.v2" });
        expect((await repository.listReviews({ tenant: "alpha", state: "pending", limit: 10 })).reviews.map((item) => item.id)).toEqual(["rev_2", "rev_1"]);
        // A review whose answer insert fails is not written either (one transaction).
        await expect(repository.insertAnswer(streamed, review(streamed, "rev_3", "2026-11-27T10:00:02.000Z"))).rejects.toThrow();
        expect(await repository.getReview("alpha", "rev_3")).toBeNull();
      }),
    );

    it(
      "lists a tenant's reviews newest first, by state, page by page",
      withRepository(async (repository) => {
        const base = answer("alpha", "ans_1");
        await repository.insertAnswer(base, null);
        for (let index = 0; index < 5; index++) {
          const tenant = index === 4 ? "beta" : "alpha";
          await repository.insertAnswer(
            { ...answer(tenant, `ans_x${index}`) },
            review({ ...base, tenant, id: `ans_x${index}` }, `rev_${index}`, `2026-11-27T10:00:0${index}.000Z`),
          );
        }
        const first = await repository.listReviews({ tenant: "alpha", state: "pending", limit: 2 });
        expect(first.reviews.map((item) => item.id)).toEqual(["rev_3", "rev_2"]);
        const second = await repository.listReviews({ tenant: "alpha", state: "pending", limit: 2, cursor: first.nextCursor });
        expect(second.reviews.map((item) => item.id)).toEqual(["rev_1", "rev_0"]);
        expect(second.nextCursor).toBeNull();
        expect((await repository.listReviews({ tenant: "alpha", state: "approved", limit: 10 })).reviews).toEqual([]);
        expect((await repository.listReviews({ tenant: "beta", limit: 10 })).reviews.map((item) => item.id)).toEqual(["rev_4"]);
        await expect(repository.listReviews({ tenant: "alpha", limit: 0 })).rejects.toThrow(/limit/);
        await expect(repository.listReviews({ tenant: "alpha", limit: 2, cursor: "not-a-cursor" })).rejects.toThrow(/cursor/i);
      }),
    );

    it(
      "decides a pending review once, writing the reviewer's feedback and the example with it",
      withRepository(async (repository) => {
        const flagged = answer("alpha", "ans_1");
        await repository.insertAnswer(flagged, review(flagged, "rev_1", flagged.createdAt));
        const decision = {
          state: "corrected" as const,
          correctedAnswer: "No.",
          comment: "fixed",
          exampleId: "fb_r",
          decidedAt: "2026-11-27T13:00:00.000Z",
          decidedBy: "key-r",
        };
        const created = { feedback: feedback(flagged, "fb_r", { keyId: "key-r" }), example: example("alpha", "fb_r") };
        expect(await repository.decideReview("beta", "rev_1", decision, created)).toBeNull();
        expect(await repository.getFeedback("alpha", "fb_r")).toBeNull();

        const decided = await repository.decideReview("alpha", "rev_1", decision, created);
        expect(decided).toMatchObject({
          state: "corrected",
          correctedAnswer: "No.",
          comment: "fixed",
          exampleId: "fb_r",
          decidedBy: "key-r",
          decidedAt: decision.decidedAt,
        });
        expect(await repository.getFeedback("alpha", "fb_r")).toMatchObject({ keyId: "key-r", rating: "down", correctedAnswer: "No." });
        expect((await repository.listExamples("alpha")).map((item) => item.id)).toEqual(["fb_r"]);

        // A second decision writes nothing.
        const again = { feedback: feedback(flagged, "fb_s"), example: example("alpha", "fb_s") };
        expect(await repository.decideReview("alpha", "rev_1", { ...decision, state: "rejected" }, again)).toBeNull();
        expect(await repository.getReview("alpha", "rev_1")).toMatchObject({ state: "corrected" });
        expect(await repository.getFeedback("alpha", "fb_s")).toBeNull();
        expect(await repository.listExamples("alpha")).toHaveLength(1);
      }),
    );

    it(
      "stores feedback with its review or example; deleting it removes the example and closes its pending review",
      withRepository(async (repository) => {
        const given = answer("alpha", "ans_1");
        await repository.insertAnswer(given, null);
        const empty = await repository.examplesVersion("alpha");
        await repository.insertFeedback(feedback(given, "fb_1"), { example: example("alpha", "fb_1") });
        const withOne = await repository.examplesVersion("alpha");
        expect(withOne).not.toBe(empty);
        await repository.insertFeedback(feedback(given, "fb_2", { keyId: "key-w" }), {
          review: review(given, "rev_2", "2026-11-27T11:00:00.000Z", { feedbackId: "fb_2", proposedAnswer: "No." }),
        });
        expect(await repository.examplesVersion("alpha")).toBe(withOne);
        expect(await repository.examplesVersion("beta")).toBe(empty);

        const [stored] = await repository.listExamples("alpha");
        expect(stored!.embedding.map((value) => Math.round(value * 1e6) / 1e6)).toEqual([0.6, 0.8, 0, 0.1]);
        expect(stored).toMatchObject({ tenant: "alpha", question: "Can kiwis fly?", embeddingModel: "local", reviewId: null });
        expect(await repository.listExamples("beta")).toEqual([]);
        await repository.updateExampleEmbeddings("alpha", [{ id: "fb_1", embedding: [1, 0], embeddingModel: "other" }]);
        expect(await repository.listExamples("alpha")).toMatchObject([{ embedding: [1, 0], embeddingModel: "other" }]);

        expect(await repository.deleteFeedback("beta", "fb_1", { at: "2026-11-27T14:00:00.000Z", by: "key-b" })).toBeNull();
        expect(await repository.deleteFeedback("alpha", "fb_1", { at: "2026-11-27T14:00:00.000Z", by: "key-r" })).toEqual({
          exampleRemoved: true,
          reviewsClosed: 0,
        });
        expect(await repository.listExamples("alpha")).toEqual([]);
        expect(await repository.examplesVersion("alpha")).toBe(empty);
        expect(await repository.deleteFeedback("alpha", "fb_2", { at: "2026-11-27T14:00:00.000Z", by: "key-w" })).toEqual({
          exampleRemoved: false,
          reviewsClosed: 1,
        });
        expect(await repository.getReview("alpha", "rev_2")).toMatchObject({ state: "rejected", decidedBy: "key-w", decidedAt: "2026-11-27T14:00:00.000Z" });
        expect(await repository.getFeedback("alpha", "fb_2")).toBeNull();
        expect(await repository.deleteFeedback("alpha", "fb_2", { at: "2026-11-27T14:00:00.000Z", by: "key-w" })).toBeNull();
      }),
    );
  });
}

runReviewRepositoryContract("SQL on SQLite", () => openTestSqlite("ragline-reviews-sqlite-"));

if (await postgresForTests("the SQL review repository on PostgreSQL")) {
  runReviewRepositoryContract("SQL on PostgreSQL", () => openTestPostgres());
}
