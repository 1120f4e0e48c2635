import { describe, expect, it } from "vitest";
import { reciprocalRankFusion } from "../../src/core/ranking/reciprocal-rank-fusion.js";
import { PLAIN_RRF } from "../../src/core/ranking/fuse-lists.js";
import { rankCandidates } from "../../src/core/ranking/rank-candidates.js";

const dense = (id: string, score: number) => ({ id, score, from: "dense" });
const lexical = (id: string, score: number, similarity: number) => ({ id, score, similarity, from: "lexical" });
const options = { topK: 10, candidateK: 10, minScore: -1 };

describe("rankCandidates", () => {
  it("fuses both lists by reciprocal rank, best fused first, with every component score", () => {
    const ranked = rankCandidates(
      { dense: [dense("a", 0.9), dense("b", 0.8), dense("c", 0.7)], lexical: [lexical("c", 7, 0.1), lexical("d", 5, 0.4)] },
      { ...options, fusion: PLAIN_RRF },
    );
    // b (dense rank 2) and d (lexical rank 2) tie; the dense list's entry was seen first.
    expect(ranked.hits.map((hit) => hit.candidate.id)).toEqual(["c", "a", "b", "d"]);
    expect(ranked.hits[0]!.scores).toEqual({ dense: 0.7, text: 7, denseRank: 3, textRank: 1, fused: 1 / 63 + 1 / 61, relevance: 0.7 });
    expect(ranked.hits[1]!.scores).toEqual({ dense: 0.9, text: null, denseRank: 1, textRank: null, fused: 1 / 61, relevance: 0.9 });
    // A lexical-only candidate is scored densely by its own similarity.
    expect(ranked.hits[3]!.scores).toEqual({ dense: 0.4, text: 5, denseRank: null, textRank: 2, fused: 1 / 62, relevance: 0.4 });
    // A chunk in both lists keeps the dense list's object and score, not the lexical similarity.
    expect(ranked.hits[0]!.candidate).toMatchObject({ from: "dense" });
    expect(ranked.hits[3]!.candidate).toMatchObject({ from: "lexical" });
    expect(ranked.cut).toEqual([]);
  });

  it("without a question, thresholds on the clamped dense score after fusion: hits at most topK, the rest cut best dense first, at most candidateK", () => {
    const lists = {
      dense: [dense("a", 0.9), dense("b", 0.5), dense("c", 0.2), dense("d", 0.1), dense("e", -0.3)],
      lexical: [lexical("x", 9, 0.05), lexical("b", 3, 0.5), lexical("y", 2, 0.6)],
    };
    const ranked = rankCandidates(lists, { topK: 2, candidateK: 3, minScore: 0.4 });
    expect(ranked.hits.map((hit) => hit.candidate.id)).toEqual(["b", "a"]);
    expect(ranked.hits.every((hit) => hit.scores.dense >= 0.4)).toBe(true);
    expect(ranked.cut.map((hit) => [hit.candidate.id, hit.scores.dense])).toEqual([
      ["c", 0.2],
      ["d", 0.1],
      ["x", 0.05],
    ]);
    // "y" passed the threshold but fell outside topK: neither a hit nor cut.
    const all = rankCandidates(lists, { topK: 10, candidateK: 10, minScore: 0.4 });
    expect(all.hits.map((hit) => hit.candidate.id)).toEqual(["b", "a", "y"]);
    expect(all.cut.map((hit) => hit.candidate.id)).toEqual(["c", "d", "x", "e"]);
  });

  it("orders each list by its own scores (stable for ties) and counts an id repeated in a list once, at its first place", () => {
    const ranked = rankCandidates(
      { dense: [dense("b", 0.5), dense("a", 0.9), dense("b", 0.1), dense("c", 0.5)], lexical: [lexical("d", 1, 0), lexical("e", 4, 0), lexical("d", 9, 0)] },
      options,
    );
    const byId = new Map(ranked.hits.map((hit) => [hit.candidate.id, hit.scores]));
    expect([byId.get("a")!.denseRank, byId.get("b")!.denseRank, byId.get("c")!.denseRank]).toEqual([1, 2, 3]);
    expect(byId.get("b")!.dense).toBe(0.5);
    expect([byId.get("e")!.textRank, byId.get("d")!.textRank]).toEqual([1, 2]);
    expect(byId.get("d")!.text).toBe(1);
  });

  it("matches plain reciprocal rank fusion of the sorted id lists", () => {
    const lists = {
      dense: Array.from({ length: 30 }, (_, index) => dense(`n${index}`, 1 - index / 30)),
      lexical: Array.from({ length: 30 }, (_, index) => lexical(`n${(index * 7) % 45}`, 30 - index, 0.2)),
    };
    const ranked = rankCandidates(lists, { topK: 100, candidateK: 100, minScore: -1 });
    const expected = reciprocalRankFusion([lists.dense.map((entry) => entry.id), lists.lexical.map((entry) => entry.id)], { k: 60 });
    expect(ranked.hits.map((hit) => [hit.candidate.id, hit.scores.fused])).toEqual(expected.map((item) => [item.key, item.score]));
  });

  it("returns nothing for empty lists", () => {
    expect(rankCandidates({ dense: [], lexical: [] }, options)).toEqual({ hits: [], cut: [], fused: [] });
  });
});
