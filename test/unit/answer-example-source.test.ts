import { afterEach, describe, expect, it, vi } from "vitest";
import { SqlReviewRepository } from "../../src/adapters/review-repository/sql/sql-review-repository.js";
import type { FeedbackRecord, StoredExample } from "../../src/ports/review-repository.js";
import { createAnswerExampleSource } from "../../src/use-cases/reviews/answer-example-source.js";
import { openTestSqlite, type TestSqlState } from "../helpers/test-database.js";
import { CountingEmbedder } from "../helpers/test-runtime.js";

// The example source over the real SQL repository (SQLite) and the real local embedder.

const opened: TestSqlState[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((state) => state.cleanup()));
});

async function setup(options: { minSimilarity?: number; max?: number } = {}) {
  const database = await openTestSqlite("ragline-examples-");
  opened.push(database);
  const reviews = new SqlReviewRepository(database.state);
  const embedder = new CountingEmbedder(64);
  const source = createAnswerExampleSource({ reviews, embedder, minSimilarity: options.minSimilarity ?? 0, max: options.max ?? 3 });
  let count = 0;
  const add = async (tenant: string, question: string, overrides: Partial<StoredExample> = {}) => {
    count += 1;
    const id = `fb_${count}`;
    const [embedding] = await embedder.inner.embed([question]);
    const feedback: FeedbackRecord = {
      id,
      tenant,
      answerId: "ans_1",
      keyId: "k",
      rating: "down",
      correctedAnswer: `answer ${count}`,
      comment: null,
      createdAt: `2026-11-27T10:00:0${count}.000Z`,
    };
    const example: StoredExample = {
      id,
      tenant,
      question,
      answer: `answer ${count}`,
      embedding: embedding!,
      embeddingModel: embedder.modelId,
      reviewId: null,
      createdAt: feedback.createdAt,
      ...overrides,
    };
    await reviews.insertFeedback(feedback, { example });
    return id;
  };
  return { reviews, embedder, source, add };
}

describe("createAnswerExampleSource", () => {
  it("returns the tenant's most similar examples, most similar first, at most max, never another tenant's", async () => {
    const { source, add } = await setup({ max: 2 });
    const same = await add("acme", "Can kiwis fly?");
    const near = await add("acme", "Can kiwis fly far?");
    await add("acme", "How is sourdough bread leavened with wild yeast?");
    await add("beta", "Can kiwis fly?");
    const found = await source.find({ tenant: "acme", question: "Can kiwis fly?" });
    expect(found.map((example) => example.id)).toEqual([same, near]);
    expect(found[0]!.similarity).toBeCloseTo(1, 5);
    expect(found[0]!.similarity).toBeGreaterThan(found[1]!.similarity);
    expect(await source.find({ tenant: "gamma", question: "Can kiwis fly?" })).toEqual([]);
  });

  it("keeps only examples at or above minSimilarity", async () => {
    const { source, add } = await setup({ minSimilarity: 0.99 });
    const same = await add("acme", "Can kiwis fly?");
    await add("acme", "Can kiwis fly far?");
    expect((await source.find({ tenant: "acme", question: "Can kiwis fly?" })).map((example) => example.id)).toEqual([same]);
    expect(await source.find({ tenant: "acme", question: "Where is Mount Etna?" })).toEqual([]);
  });

  it("embeds nothing for a tenant without examples, reloads a tenant's examples only when they change", async () => {
    const { reviews, embedder, source, add } = await setup();
    expect(await source.find({ tenant: "acme", question: "Can kiwis fly?" })).toEqual([]);
    expect(embedder.calls).toBe(0);
    const list = vi.spyOn(reviews, "listExamples");
    const first = await add("acme", "Can kiwis fly?");
    await source.find({ tenant: "acme", question: "Can kiwis fly?" });
    await source.find({ tenant: "acme", question: "Can kiwis swim?" });
    expect(list).toHaveBeenCalledTimes(1);
    await reviews.deleteFeedback("acme", first, { at: "2026-11-27T11:00:00.000Z", by: "k" });
    expect(await source.find({ tenant: "acme", question: "Can kiwis fly?" })).toEqual([]);
    expect(list).toHaveBeenCalledTimes(2);
  });

  it("embeds again, and stores, examples made by another embedding model", async () => {
    const { reviews, source, add } = await setup();
    const stale = await add("acme", "Can kiwis fly?", { embedding: [1, 0, 0], embeddingModel: "retired-model" });
    const [found] = await source.find({ tenant: "acme", question: "Can kiwis fly?" });
    expect(found).toMatchObject({ id: stale });
    expect(found!.similarity).toBeCloseTo(1, 5);
    const [stored] = await reviews.listExamples("acme");
    expect(stored!.embeddingModel).not.toBe("retired-model");
    expect(stored!.embedding).toHaveLength(64);
  });

  it("answers without examples when they cannot be had, but passes an abort on", async () => {
    const { reviews, source, add } = await setup();
    await add("acme", "Can kiwis fly?");
    vi.spyOn(reviews, "examplesVersion").mockRejectedValue(new Error("database is down"));
    expect(await source.find({ tenant: "acme", question: "Can kiwis fly?" })).toEqual([]);
    const aborted = AbortSignal.abort(new Error("client went away"));
    await expect(source.find({ tenant: "acme", question: "Can kiwis fly?", signal: aborted })).rejects.toThrow(/database is down/);
  });
});
