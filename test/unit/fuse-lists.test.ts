import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { FUSION_DEFAULTS, fuseLists, PLAIN_RRF, resolveFusion, type ScoredList } from "../../src/core/ranking/fuse-lists.js";

const list = (entries: Array<[string, number]>): ScoredList => ({ ids: entries.map(([id]) => id), scores: new Map(entries) });
const dense = list([
  ["a", 0.9],
  ["b", 0.5],
  ["c", 0.1],
]);
const lexical = list([
  ["c", 12],
  ["d", 6],
  ["a", 3],
]);

describe("fuseLists", () => {
  it("rrf ignores the weights: 1 / (k + rank) summed over both lists", () => {
    const fused = fuseLists(dense, lexical, { ...PLAIN_RRF, weights: { dense: 0, lexical: 5 } });
    expect(fused.map((entry) => entry.id)).toEqual(["a", "c", "b", "d"]);
    expect(fused[0]).toEqual({ id: "a", score: 1 / 61 + 1 / 63, denseRank: 1, lexicalRank: 3 });
  });

  it("weighted-rrf scales each list's contribution by its weight", () => {
    const fused = fuseLists(dense, lexical, { method: "weighted-rrf", weights: { dense: 0.1, lexical: 1 }, rrfK: 5 });
    // a (dense 1st, lexical 3rd) stays below d (lexical 2nd only): 0.1 / 6 + 1 / 8 < 1 / 7.
    expect(fused.map((entry) => entry.id)).toEqual(["c", "d", "a", "b"]);
    expect(fused[0]!.score).toBeCloseTo(1 / 6 + 0.1 / 8, 12);
    // A zero weight leaves the other list's order untouched.
    expect(
      fuseLists(dense, lexical, { method: "weighted-rrf", weights: { dense: 0, lexical: 1 }, rrfK: 60 })
        .slice(0, 3)
        .map((entry) => entry.id),
    ).toEqual(["c", "d", "a"]);
  });

  it("convex sums the weighted min-max normalised scores; an id missing from the lexical list gets 0 there", () => {
    const withLexicalOnlyCosine = { ids: dense.ids, scores: new Map([...dense.scores, ["d", 0.7]]) };
    const fused = fuseLists(withLexicalOnlyCosine, lexical, { method: "convex", weights: { dense: 0.5, lexical: 0.5 }, rrfK: 60 });
    const score = new Map(fused.map((entry) => [entry.id, entry.score]));
    expect(score.get("a")).toBeCloseTo(0.5 * 1 + 0.5 * 0, 12);
    expect(score.get("c")).toBeCloseTo(0.5 * 0 + 0.5 * 1, 12);
    expect(score.get("d")).toBeCloseTo(0.5 * 0.75 + 0.5 * (3 / 9), 12);
    expect(score.get("b")).toBeCloseTo(0.5 * 0.5, 12);
    expect(fused.map((entry) => entry.id)).toEqual(["d", "a", "c", "b"]);
    expect(fused.find((entry) => entry.id === "d")).toMatchObject({ denseRank: null, lexicalRank: 2 });
  });

  it("refuses negative or non-finite weights", () => {
    expect(() => fuseLists(dense, lexical, { method: "weighted-rrf", weights: { dense: -1, lexical: 1 }, rrfK: 60 })).toThrow(RangeError);
    expect(() => fuseLists(dense, lexical, { method: "convex", weights: { dense: Number.NaN, lexical: 1 }, rrfK: 60 })).toThrow(RangeError);
  });
});

describe("resolveFusion", () => {
  it("takes every unset field from the embedding provider's default", () => {
    expect(resolveFusion({ method: null, weights: null, rrfK: null }, "local")).toEqual(FUSION_DEFAULTS.local);
    expect(resolveFusion({ method: null, weights: null, rrfK: null }, "openai")).toEqual(FUSION_DEFAULTS.openai);
    expect(resolveFusion({ method: "convex", weights: null, rrfK: 10 }, "local")).toEqual({
      method: "convex",
      weights: FUSION_DEFAULTS.local.weights,
      rrfK: 10,
    });
  });

  it("weighs the local hashed embedder's dense list below the lexical list, and OpenAI-compatible embedders equally", () => {
    expect(FUSION_DEFAULTS.local.weights.dense).toBeLessThan(FUSION_DEFAULTS.local.weights.lexical);
    expect(FUSION_DEFAULTS.openai.weights.dense).toBe(FUSION_DEFAULTS.openai.weights.lexical);
  });
});

describe("config retrieval.fusion", () => {
  it("resolves unset fields from the configured embedding provider and keeps what is set", () => {
    expect(configSchema.parse({}).retrieval.fusion).toEqual(FUSION_DEFAULTS.local);
    expect(configSchema.parse({ embedding: { provider: "openai" } }).retrieval.fusion).toEqual(FUSION_DEFAULTS.openai);
    const configured = configSchema.parse({ retrieval: { fusion: { method: "convex", weights: { dense: 0.3, lexical: 0.7 } } } }).retrieval.fusion;
    expect(configured).toEqual({ method: "convex", weights: { dense: 0.3, lexical: 0.7 }, rrfK: FUSION_DEFAULTS.local.rrfK });
  });

  it("refuses an unknown method, a negative weight and unknown keys", () => {
    expect(configSchema.safeParse({ retrieval: { fusion: { method: "borda" } } }).success).toBe(false);
    expect(configSchema.safeParse({ retrieval: { fusion: { weights: { dense: -1, lexical: 1 } } } }).success).toBe(false);
    expect(configSchema.safeParse({ retrieval: { fusion: { k: 60 } } }).success).toBe(false);
    expect(configSchema.safeParse({ retrieval: { fusion: { weights: { dense: 0, lexical: 0 } } } }).success).toBe(false);
  });
});
