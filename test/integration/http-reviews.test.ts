import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/create-app.js";
import type { ReviewRepository } from "../../src/ports/review-repository.js";
import { attachAnswerReview, recordAnswer } from "../../src/use-cases/reviews/record-answer.js";
import { jsonRequest, startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

// Answer records, the review queue, feedback and reviewed examples through the HTTP API (embedded runtime).

const KEYS = {
  writer: "acme-writer-key-0123456789abcdef",
  reviewer: "acme-reviewer-key-0123456789abcd",
  otherWriter: "acme-writer-two-key-0123456789ab",
  betaReviewer: "beta-reviewer-key-0123456789abcd",
  admin: "acme-admin-key-0123456789abcdefg",
};
const as = (key: string) => ({ authorization: `Bearer ${key}` });
const QUESTION = "Can kiwis fly?";

interface ReviewBody {
  id: string;
  answer_id: string;
  feedback_id: string | null;
  question: string;
  answer: string | null;
  state: string;
  score: number | null;
  reasons: string[];
  proposed_answer: string | null;
  corrected_answer: string | null;
  example_id: string | null;
  decided_by: string | null;
}

describe("reviews and feedback over HTTP", () => {
  let test: TestRuntime;
  const examplesFor = (tenant: string, question: string) => test.runtime.deps.answerExamples!.find({ tenant, question });
  const ask = async (key: string, body: Record<string, unknown> = {}) => {
    const response = await test.app.request("/v1/query", jsonRequest("POST", { question: QUESTION, ...body }, as(key)));
    expect(response.status).toBe(200);
    return response;
  };
  const answerIdOf = async (key: string) => ((await (await ask(key)).json()) as { answer_id: string }).answer_id;
  const reviewsOf = async (key: string, query = "state=pending") => {
    const response = await test.app.request(`/v1/reviews?${query}`, { headers: as(key) });
    expect(response.status).toBe(200);
    return (await response.json()) as { reviews: ReviewBody[]; next_cursor: string | null };
  };
  const decide = (key: string, id: string, body: Record<string, unknown>) => test.app.request(`/v1/reviews/${id}`, jsonRequest("POST", body, as(key)));
  const feedback = (key: string, answerId: string, body: Record<string, unknown>) =>
    test.app.request(`/v1/answers/${answerId}/feedback`, jsonRequest("POST", body, as(key)));
  /** A flagged answer as the judge would leave it (no judge on this branch): recorded through the use case. */
  const flagged = (tenant: string) =>
    recordAnswer(
      { reviews: test.runtime.deps.reviews },
      {
        tenant,
        keyId: "judge-test",
        question: QUESTION,
        result: {
          answerStatus: "answered",
          answer: "Kiwis fly at night. [1]",
          citations: [],
          promptVersion: "answer.v1",
          model: "small",
          review: { needed: true, score: 0.4, reasons: ['sentence 1 "Kiwis fly at night." is not supported by [1]'] },
          judgeVersion: "local-support.v1",
          examples: [],
        },
      },
    );

  beforeAll(async () => {
    test = await startTestRuntime({
      retrieval: { minScore: 0.1, minScoreFloor: 0.05 },
      auth: {
        apiKeys: [
          { key: KEYS.writer, tenant: "acme", scopes: ["read", "write"] },
          { key: KEYS.otherWriter, tenant: "acme", scopes: ["read", "write"] },
          { key: KEYS.reviewer, tenant: "acme", scopes: ["read", "write", "review"] },
          { key: KEYS.betaReviewer, tenant: "beta", scopes: ["read", "write", "review"] },
          { key: KEYS.admin, tenant: "acme", scopes: ["admin"] },
        ],
      },
    });
    for (const key of [KEYS.writer, KEYS.betaReviewer]) {
      const upload = await test.app.request("/v1/documents/kiwi", jsonRequest("PUT", { text: "Kiwis are flightless birds of New Zealand." }, as(key)));
      expect(upload.status).toBe(202);
      await waitFor(
        async () => ((await (await test.app.request("/v1/documents/kiwi", { headers: as(key) })).json()) as { status: string }).status === "indexed",
        "indexed",
      );
    }
  });
  afterAll(async () => {
    await test.close();
  });

  it("every answer carries an answer_id (JSON and the stream's done event); retrieve mode does not", async () => {
    const body = (await (await ask(KEYS.writer)).json()) as { answer_id: string; answer_status: string };
    expect(body.answer_id).toMatch(/^ans_[0-9a-f]{32}$/);
    const stored = await test.runtime.deps.reviews.getAnswer("acme", body.answer_id);
    expect(stored).toMatchObject({ question: QUESTION, answerStatus: body.answer_status, keyId: "config-0", review: null });
    expect(await test.runtime.deps.reviews.getAnswer("beta", body.answer_id)).toBeNull();

    const streamed = await (await ask(KEYS.writer, { stream: true })).text();
    const done = JSON.parse(/event: done\ndata: (.*)/.exec(streamed)![1]!) as { answer_id: string };
    expect(done.answer_id).toMatch(/^ans_/);
    expect(await test.runtime.deps.reviews.getAnswer("acme", done.answer_id)).not.toBeNull();

    expect(await (await ask(KEYS.writer, { mode: "retrieve" })).json()).not.toHaveProperty("answer_id");
  });

  it("a recording failure does not fail the query: answer_id is null", async () => {
    const failing: ReviewRepository = {
      ...test.runtime.deps.reviews,
      insertAnswer: () => Promise.reject(new Error("database is down")),
    };
    const app = createApp({ ...test.runtime.deps, reviews: failing });
    const response = await app.request("/v1/query", jsonRequest("POST", { question: QUESTION }, as(KEYS.writer)));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ answer_id: null, answer_status: "answered" });
  });

  it("a flagged answer is queued for its tenant only; only a review key decides it, once", async () => {
    const answerId = await flagged("acme");
    const queue = await reviewsOf(KEYS.reviewer);
    const review = queue.reviews.find((item) => item.answer_id === answerId)!;
    expect(review).toMatchObject({ state: "pending", score: 0.4, question: QUESTION, feedback_id: null, corrected_answer: null, decided_by: null });
    expect(review.id).toMatch(/^rev_/);
    expect((await reviewsOf(KEYS.betaReviewer)).reviews.map((item) => item.id)).not.toContain(review.id);
    // admin may read its tenant's queue, not decide; write may do neither.
    expect((await reviewsOf(KEYS.admin)).reviews.map((item) => item.id)).toContain(review.id);
    expect((await test.app.request("/v1/reviews", { headers: as(KEYS.writer) })).status).toBe(403);
    const forbidden = await decide(KEYS.writer, review.id, { action: "approve" });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ error: { code: "forbidden", details: { required_scope: "review" } } });
    expect((await decide(KEYS.admin, review.id, { action: "approve" })).status).toBe(403);

    expect((await decide(KEYS.betaReviewer, review.id, { action: "approve" })).status).toBe(404);
    const missingText = await decide(KEYS.reviewer, review.id, { action: "correct" });
    expect(missingText.status).toBe(400);
    expect(await missingText.json()).toMatchObject({ error: { details: { issues: [{ path: "corrected_answer" }] } } });
    expect((await decide(KEYS.reviewer, review.id, { action: "dismiss" })).status).toBe(400);
    expect((await test.app.request("/v1/reviews?state=stuck", { headers: as(KEYS.reviewer) })).status).toBe(400);

    const corrected = await decide(KEYS.reviewer, review.id, {
      action: "correct",
      corrected_answer: "No: kiwis are flightless birds. [1]",
      comment: "see the passage",
    });
    expect(corrected.status).toBe(200);
    const decided = (await corrected.json()) as ReviewBody;
    expect(decided).toMatchObject({ state: "corrected", corrected_answer: "No: kiwis are flightless birds. [1]", decided_by: "config-2" });
    expect(decided.example_id).toMatch(/^fb_/);
    const again = await decide(KEYS.reviewer, review.id, { action: "reject" });
    expect(again.status).toBe(409);
    expect((await reviewsOf(KEYS.reviewer, "state=corrected")).reviews.map((item) => item.id)).toContain(review.id);

    // The correction is an example for the same question of acme, never for beta (even the identical question).
    const examples = await examplesFor("acme", QUESTION);
    expect(examples.map((example) => example.id)).toContain(decided.example_id);
    expect(examples.find((example) => example.id === decided.example_id)).toMatchObject({
      answer: "No: kiwis are flightless birds. [1]",
      similarity: expect.closeTo(1, 5),
    });
    expect(await examplesFor("beta", QUESTION)).toEqual([]);
    expect(await examplesFor("acme", "How is sourdough bread leavened?")).toEqual([]);

    // Deleting the reviewer's feedback removes the example from future prompts.
    const removed = await test.app.request(`/v1/feedback/${decided.example_id}`, { method: "DELETE", headers: as(KEYS.reviewer) });
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({ id: decided.example_id, example_removed: true, reviews_closed: 0 });
    expect((await examplesFor("acme", QUESTION)).map((example) => example.id)).not.toContain(decided.example_id);
  });

  it("a write key's correction opens a review and is no example until a reviewer approves it; deleting it removes it", async () => {
    const answerId = await answerIdOf(KEYS.writer);
    const correction = "Kiwis cannot fly at all.";
    const response = await feedback(KEYS.writer, answerId, { rating: "down", corrected_answer: correction, comment: "wrong" });
    expect(response.status).toBe(201);
    const given = (await response.json()) as { id: string; review_id: string; example_id: string | null };
    expect(given).toMatchObject({ answer_id: answerId, rating: "down", corrected_answer: correction, example_id: null });
    expect(given.review_id).toMatch(/^rev_/);
    expect((await examplesFor("acme", QUESTION)).map((example) => example.id)).not.toContain(given.id);

    const pending = (await reviewsOf(KEYS.reviewer)).reviews.find((item) => item.id === given.review_id)!;
    expect(pending).toMatchObject({ feedback_id: given.id, proposed_answer: correction, reasons: ["user correction"], answer_id: answerId });

    // Another write key may not delete it; the giver may.
    expect((await test.app.request(`/v1/feedback/${given.id}`, { method: "DELETE", headers: as(KEYS.otherWriter) })).status).toBe(403);
    const approved = (await (await decide(KEYS.reviewer, given.review_id, { action: "approve" })).json()) as ReviewBody;
    expect(approved).toMatchObject({ state: "approved", example_id: given.id });
    const examples = await examplesFor("acme", QUESTION);
    expect(examples.find((example) => example.id === given.id)).toMatchObject({ answer: correction });
    expect(await examplesFor("beta", QUESTION)).toEqual([]);

    const deleted = await test.app.request(`/v1/feedback/${given.id}`, { method: "DELETE", headers: as(KEYS.writer) });
    expect(await deleted.json()).toEqual({ id: given.id, example_removed: true, reviews_closed: 0 });
    expect((await examplesFor("acme", QUESTION)).map((example) => example.id)).not.toContain(given.id);
    expect((await test.app.request(`/v1/feedback/${given.id}`, { method: "DELETE", headers: as(KEYS.writer) })).status).toBe(404);
  });

  it("a review key's correction is an example at once; rejected or deleted corrections never are", async () => {
    const answerId = await answerIdOf(KEYS.reviewer);
    const direct = (await (await feedback(KEYS.reviewer, answerId, { rating: "down", corrected_answer: "No, kiwis are flightless." })).json()) as {
      id: string;
      review_id: string | null;
      example_id: string;
    };
    expect(direct).toMatchObject({ review_id: null, example_id: direct.id });
    expect((await examplesFor("acme", QUESTION)).map((example) => example.id)).toContain(direct.id);
    expect(await examplesFor("beta", QUESTION)).toEqual([]);

    const rejected = (await (await feedback(KEYS.writer, answerId, { rating: "down", corrected_answer: "Kiwis fly south in winter." })).json()) as {
      id: string;
      review_id: string;
    };
    expect((await (await decide(KEYS.reviewer, rejected.review_id, { action: "reject" })).json()) as ReviewBody).toMatchObject({
      state: "rejected",
      example_id: null,
    });
    expect((await examplesFor("acme", QUESTION)).map((example) => example.id)).not.toContain(rejected.id);

    // Deleting a correction still pending closes its review: approving it later cannot bring it back.
    const withdrawn = (await (await feedback(KEYS.writer, answerId, { rating: "down", corrected_answer: "Kiwis swim." })).json()) as {
      id: string;
      review_id: string;
    };
    expect(await (await test.app.request(`/v1/feedback/${withdrawn.id}`, { method: "DELETE", headers: as(KEYS.writer) })).json()).toMatchObject({
      reviews_closed: 1,
    });
    expect((await decide(KEYS.reviewer, withdrawn.review_id, { action: "approve" })).status).toBe(409);
    expect((await examplesFor("acme", QUESTION)).map((example) => example.id)).not.toContain(withdrawn.id);
  });

  it("refuses feedback on another tenant's answer (404), a correction with rating up and unknown fields (400)", async () => {
    const answerId = await answerIdOf(KEYS.writer);
    expect((await feedback(KEYS.betaReviewer, answerId, { rating: "up" })).status).toBe(404);
    expect((await feedback(KEYS.writer, "ans_unknown", { rating: "up" })).status).toBe(404);
    expect((await feedback(KEYS.writer, answerId, { rating: "up", corrected_answer: "x" })).status).toBe(400);
    expect((await feedback(KEYS.writer, answerId, { rating: "meh" })).status).toBe(400);
    expect((await feedback(KEYS.writer, answerId, { rating: "up", extra: true })).status).toBe(400);
    expect((await feedback(KEYS.admin, answerId, { rating: "up" })).status).toBe(403);
    const up = await feedback(KEYS.writer, answerId, { rating: "up" });
    expect(up.status).toBe(201);
    expect(await up.json()).toMatchObject({ rating: "up", review_id: null, example_id: null });
    const down = (await (await feedback(KEYS.writer, answerId, { rating: "down" })).json()) as { review_id: string };
    expect((await reviewsOf(KEYS.reviewer)).reviews.find((item) => item.id === down.review_id)).toMatchObject({ reasons: ["user rated the answer down"] });
  });

  it("a streamed answer's later verdict is attached to its record, and queued when it needs review", async () => {
    const streamed = await (await ask(KEYS.writer, { stream: true })).text();
    const answerId = (JSON.parse(/event: done\ndata: (.*)/.exec(streamed)![1]!) as { answer_id: string }).answer_id;
    const deps = { reviews: test.runtime.deps.reviews };
    const verdict = { needed: true, score: 0.3, reasons: ["sentence 1 is not supported"] };
    expect(await attachAnswerReview(deps, { tenant: "beta", answerId, review: verdict, judgeVersion: "local-support.v1" })).toBe(false);
    expect(await attachAnswerReview(deps, { tenant: "acme", answerId, review: verdict, judgeVersion: "local-support.v1" })).toBe(true);
    expect(await test.runtime.deps.reviews.getAnswer("acme", answerId)).toMatchObject({ review: verdict, judgeVersion: "local-support.v1" });
    const queued = (await reviewsOf(KEYS.reviewer)).reviews.filter((item) => item.answer_id === answerId);
    expect(queued).toEqual([expect.objectContaining({ state: "pending", score: 0.3, reasons: verdict.reasons, feedback_id: null })]);

    const fine = (await (await ask(KEYS.writer)).json()) as { answer_id: string };
    expect(
      await attachAnswerReview(deps, { tenant: "acme", answerId: fine.answer_id, review: { needed: false, score: 1, reasons: [] }, judgeVersion: "v" }),
    ).toBe(true);
    expect((await reviewsOf(KEYS.reviewer)).reviews.map((item) => item.answer_id)).not.toContain(fine.answer_id);
  });

  it("pages the queue with a cursor", async () => {
    for (let index = 0; index < 3; index++) await flagged("beta");
    const first = await reviewsOf(KEYS.betaReviewer, "state=pending&limit=2");
    expect(first.reviews).toHaveLength(2);
    const second = await reviewsOf(KEYS.betaReviewer, `state=pending&limit=2&cursor=${first.next_cursor}`);
    expect(second.reviews).toHaveLength(1);
    expect(second.next_cursor).toBeNull();
    expect(new Set([...first.reviews, ...second.reviews].map((item) => item.id)).size).toBe(3);
    expect((await test.app.request("/v1/reviews?cursor=garbage", { headers: as(KEYS.betaReviewer) })).status).toBe(400);
  });
});
