import { describe, expect, it } from "vitest";
import { firstOccurrences, ndcgAt, recallAt, reciprocalRankAt, retrievalMetrics, trecEvalOrder } from "../../src/core/eval/retrieval-metrics.js";
import { containsGoldSpan, normalizeAnswerText } from "../../src/core/eval/answer-metrics.js";

const judged = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe("retrieval metrics (trec_eval / BEIR definitions)", () => {
  it("computes nDCG@10 with linear gain on a hand-worked example", () => {
    // DCG = 2/log2(3) + 1/log2(5) = 1.26186 + 0.43068 = 1.69254; ideal = 2/log2(2) + 1/log2(3) = 2.63093.
    const ranking = ["x", "a", "c", "b"];
    const judgements = judged({ a: 2, b: 1, c: 0 });
    expect(ndcgAt(ranking, judgements, 10)).toBeCloseTo(1.69254 / 2.63093, 5);
    expect(ndcgAt(ranking, judgements, 10)).toBeCloseTo(0.64332, 5);
    // Cut at 2: DCG 1.26186 against the ideal of the top 2 grades (2.63093).
    expect(ndcgAt(ranking, judgements, 2)).toBeCloseTo(1.26186 / 2.63093, 5);
  });

  it("uses linear gain, not exponential: a grade-2 document is worth twice a grade-1 one", () => {
    // Exponential gain (2^g - 1) would give 3/(3 + 1/log2(3)) = 0.8262 here instead.
    const judgements = judged({ a: 1, b: 2 });
    expect(ndcgAt(["b"], judgements, 10)).toBeCloseTo(2 / (2 + 1 / Math.log2(3)), 10);
    expect(ndcgAt(["b"], judgements, 10)).toBeCloseTo(0.76019, 5);
  });

  it("builds the ideal from every relevant judgement, retrieved or not, capped at k", () => {
    const twelve = judged(Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`d${index}`, 1])));
    const allTen = Array.from({ length: 10 }, (_, index) => `d${index}`);
    expect(ndcgAt(allTen, twelve, 10)).toBeCloseTo(1, 12);
    expect(recallAt(allTen, twelve, 10)).toBeCloseTo(10 / 12, 12);
    // A relevant document at rank 11 counts for recall@100 but not for nDCG@10 or MRR@10.
    const late = [...Array.from({ length: 10 }, (_, index) => `n${index}`), "d0"];
    expect(ndcgAt(late, twelve, 10)).toBe(0);
    expect(reciprocalRankAt(late, twelve, 10)).toBe(0);
    expect(recallAt(late, twelve, 100)).toBeCloseTo(1 / 12, 12);
  });

  it("computes recall@k and MRR@k", () => {
    const judgements = judged({ a: 2, b: 1, c: 0 });
    expect(recallAt(["x", "a", "c", "b"], judgements, 10)).toBe(1);
    expect(recallAt(["x", "a", "c", "b"], judgements, 2)).toBe(0.5);
    expect(reciprocalRankAt(["x", "c", "b", "a"], judgements, 10)).toBeCloseTo(1 / 3, 12);
    expect(reciprocalRankAt(["x", "c", "b"], judgements, 2)).toBe(0);
    expect(retrievalMetrics(["a"], judgements)).toEqual({ ndcgAt10: 2 / (2 + 1 / Math.log2(3)), recallAt10: 0.5, recallAt100: 0.5, mrrAt10: 1 });
  });

  it("treats missing judgements as not relevant, grade 0 and negative grades as not relevant, and scores 0 without any relevant document", () => {
    const judgements = judged({ a: 1, z: -1, y: 0 });
    // Unjudged u and w, and the judged-irrelevant y and z, gain nothing.
    expect(ndcgAt(["u", "z", "y", "w", "a"], judgements, 10)).toBeCloseTo(1 / Math.log2(6), 12);
    expect(recallAt(["u", "z", "y"], judgements, 10)).toBe(0);
    expect(retrievalMetrics(["a", "b"], judged({ a: 0 }))).toEqual({ ndcgAt10: 0, recallAt10: 0, recallAt100: 0, mrrAt10: 0 });
    expect(retrievalMetrics([], judged({ a: 1 }))).toEqual({ ndcgAt10: 0, recallAt10: 0, recallAt100: 0, mrrAt10: 0 });
  });

  it("counts a document repeated in a ranking (several of its chunks) at its first position only", () => {
    const judgements = judged({ a: 1, b: 1 });
    expect(firstOccurrences(["a", "a", "b", "a"])).toEqual(["a", "b"]);
    expect(ndcgAt(["a", "a", "b"], judgements, 2)).toBeCloseTo(1, 12);
    expect(recallAt(["x", "x", "b"], judgements, 2)).toBe(0.5);
    expect(reciprocalRankAt(["x", "x", "x", "b"], judgements, 10)).toBe(0.5);
  });

  it("orders a scored run as trec_eval does: score descending, ties by document id descending", () => {
    const run = [
      { id: "d1", score: 1 },
      { id: "d3", score: 2 },
      { id: "d2", score: 1 },
      { id: "d10", score: 1 },
    ];
    expect(trecEvalOrder(run)).toEqual(["d3", "d2", "d10", "d1"]);
    // The tie decides the metric: d1 lands at rank 4, not rank 2 as the input order would put it.
    expect(ndcgAt(trecEvalOrder(run), judged({ d1: 1 }), 10)).toBeCloseTo(1 / Math.log2(5), 12);
    expect(() => trecEvalOrder([...run, { id: "d1", score: 0 }])).toThrow(RangeError);
    expect(() => trecEvalOrder([{ id: "a", score: Number.NaN }])).toThrow(RangeError);
  });
});

describe("answer metrics", () => {
  it("normalises as SQuAD's script does, and drops citation markers", () => {
    expect(normalizeAnswerText("The Denver Broncos [1] won, 24–10!")).toBe("denver broncos won 24–10");
    expect(normalizeAnswerText("Café au lait")).toBe("cafe au lait");
  });

  it("finds a gold span as whole words only", () => {
    expect(containsGoldSpan("The Denver Broncos defeated the Carolina Panthers [1].", ["Carolina Panthers", "Panthers"])).toBe(true);
    expect(containsGoldSpan("It happened in the 1990s.", ["199"])).toBe(false);
    expect(containsGoldSpan("The Broncos [2] won.", ["Broncos won"])).toBe(true);
    expect(containsGoldSpan("Nothing relevant here.", ["Denver"])).toBe(false);
    expect(containsGoldSpan(null, ["Denver"])).toBe(false);
    expect(containsGoldSpan("the", ["the", ""])).toBe(false);
  });
});
