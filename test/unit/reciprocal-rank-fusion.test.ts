import { describe, expect, it } from "vitest";
import { DEFAULT_RECIPROCAL_RANK_FUSION_K, reciprocalRankFusion } from "../../src/core/ranking/reciprocal-rank-fusion.js";

describe("reciprocalRankFusion", () => {
  it("sums 1/(k + rank) over lists with k = 60 by default", () => {
    const fused = reciprocalRankFusion([
      ["a", "b", "c"],
      ["c", "a"],
    ]);
    expect(DEFAULT_RECIPROCAL_RANK_FUSION_K).toBe(60);
    expect(fused.map((item) => item.key)).toEqual(["a", "c", "b"]);
    expect(fused[0]).toEqual({ key: "a", score: 1 / 61 + 1 / 62, ranks: [1, 2] });
    expect(fused[1]).toEqual({ key: "c", score: 1 / 63 + 1 / 61, ranks: [3, 1] });
    expect(fused[2]).toEqual({ key: "b", score: 1 / 62, ranks: [2, null] });
  });

  it("honours a custom k and per-list weights", () => {
    const fused = reciprocalRankFusion([["a"], ["b"]], { k: 0, weights: [1, 3] });
    expect(fused).toEqual([
      { key: "b", score: 3, ranks: [null, 1] },
      { key: "a", score: 1, ranks: [1, null] },
    ]);
  });

  it("breaks ties by best rank, then by first appearance", () => {
    const fused = reciprocalRankFusion([
      ["x", "y"],
      ["y", "x"],
    ]);
    expect(fused.map((item) => item.key)).toEqual(["x", "y"]);
    // With k = 0 every key below scores exactly 1; x (ranks 2 and 2) loses to keys ranked first somewhere.
    const bestRankWins = reciprocalRankFusion([["a", "x"], ["b", "x"], ["y"]], { k: 0 });
    expect(bestRankWins.map((item) => item.key)).toEqual(["a", "b", "y", "x"]);
  });

  it("counts a key repeated within one list at its best position only", () => {
    const fused = reciprocalRankFusion([["a", "b", "a"]]);
    expect(fused).toEqual([
      { key: "a", score: 1 / 61, ranks: [1] },
      { key: "b", score: 1 / 62, ranks: [2] },
    ]);
  });

  it("handles empty input and works with non-string keys", () => {
    expect(reciprocalRankFusion([])).toEqual([]);
    expect(reciprocalRankFusion([[], []])).toEqual([]);
    expect(reciprocalRankFusion([[3, 1], [1]]).map((item) => item.key)).toEqual([1, 3]);
  });

  it("rejects invalid k and weights", () => {
    expect(() => reciprocalRankFusion([["a"]], { k: -1 })).toThrow(RangeError);
    expect(() => reciprocalRankFusion([["a"]], { k: Number.NaN })).toThrow(RangeError);
    expect(() => reciprocalRankFusion([["a"], ["b"]], { weights: [1] })).toThrow(RangeError);
    expect(() => reciprocalRankFusion([["a"]], { weights: [-1] })).toThrow(RangeError);
  });
});
