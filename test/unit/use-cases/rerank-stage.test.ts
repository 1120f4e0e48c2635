import { describe, expect, it } from "vitest";
import { UpstreamTimeoutError } from "../../../src/core/errors.js";
import { PLAIN_RRF } from "../../../src/core/ranking/fuse-lists.js";
import { rankCandidates } from "../../../src/core/ranking/rank-candidates.js";
import type { Reranker } from "../../../src/ports/reranker.js";
import { applyRerankStage, type RerankStageSettings } from "../../../src/use-cases/rerank-stage.js";

// Fused order (plain RRF, dense only): a, b, c, d, e — each candidate's text names it.
const candidate = (id: string, score: number, title = "") => ({ id, score, text: `text of ${id}`, metadata: { title } });
const lists = { dense: [candidate("a", 0.9, "Title A"), candidate("b", 0.8), candidate("c", 0.7), candidate("d", 0.6), candidate("e", 0.5)], lexical: [] };
const ranked = () => rankCandidates(lists, { topK: 3, candidateK: 10, minScore: 0.65, fusion: PLAIN_RRF });
const thresholds = { topK: 3, candidateK: 10, minScore: 0.65 };

/** Stands in for a reranking model (none runs here): scores from a table by candidate text, or a scripted failure. */
function rerankerStandIn(scoresByText: Record<string, number> | Error): Reranker & { calls: Array<{ query: string; documents: string[]; tenant?: string }> } {
  const calls: Array<{ query: string; documents: string[]; tenant?: string }> = [];
  return {
    modelId: "openai:stand-in",
    calls,
    async rerank(query, documents, options = {}) {
      calls.push({ query, documents, tenant: options.tenant });
      if (scoresByText instanceof Error) throw scoresByText;
      return { scores: documents.map((document) => scoresByText[document.split("\n\n").pop()!] ?? 0), usage: { inputTokens: null } };
    },
  };
}

const settings =
  (reranker: Reranker, overrides: Partial<RerankStageSettings> = {}) =>
  () => ({ reranker, candidates: 4, minScore: 0.5, ...overrides });
const ids = (items: Array<{ candidate: { id: string } }>) => items.map((item) => item.candidate.id);

describe("applyRerankStage", () => {
  it("passes the fused lists through untouched without a reranker", async () => {
    const before = ranked();
    for (const deps of [{}, { reranking: () => null }]) {
      const result = await applyRerankStage(deps, before, { question: "q", tenant: "t", thresholds });
      expect(result.hits).toBe(before.hits);
      expect(result.cut).toBe(before.cut);
      expect(result.report).toBeNull();
      expect(result.reranked).toBeNull();
      expect(ids(result.hits)).toEqual(["a", "b", "c"]);
      expect(result.fused.map((item) => result.reasonOf(item))).toEqual([null, null, null, "below_min_score", "below_min_score"]);
    }
  });

  it("orders by the reranker's score, thresholds on it, and says why each candidate is not a hit", async () => {
    const reranker = rerankerStandIn({ "text of a": 0.2, "text of b": 0.7, "text of c": 0.9, "text of d": 0.6, "text of e": 1 });
    const result = await applyRerankStage({ reranking: settings(reranker, { candidates: 4 }) }, ranked(), {
      question: "the question",
      tenant: "acme",
      thresholds: { ...thresholds, topK: 2 },
    });
    // e is beyond the 4 candidates sent, so never reranked, whatever the reranker would have said.
    expect(reranker.calls).toEqual([{ query: "the question", documents: ["Title A\n\ntext of a", "text of b", "text of c", "text of d"], tenant: "acme" }]);
    expect(ids(result.hits)).toEqual(["c", "b"]);
    expect(result.hits.map((item) => item.scores.rerank)).toEqual([0.9, 0.7]);
    expect(ids(result.cut)).toEqual(["a"]);
    expect(result.report).toEqual({ status: "ok", model: "openai:stand-in", candidates: 4, minScore: 0.5 });
    expect(result.reranked!.map((entry) => [entry.item.candidate.id, entry.item.scores.rerank, entry.fusedRank, entry.kept, entry.reason])).toEqual([
      ["c", 0.9, 3, true, null],
      ["b", 0.7, 2, true, null],
      ["d", 0.6, 4, false, "beyond_top_k"],
      ["a", 0.2, 1, false, "below_min_score"],
    ]);
    expect(result.fused.map((item) => [item.candidate.id, result.reasonOf(item)])).toEqual([
      ["a", "below_min_score"],
      ["b", null],
      ["c", null],
      ["d", "beyond_top_k"],
      ["e", "not_reranked"],
    ]);
    // The fused scores are kept next to the reranker's.
    expect(result.hits[0]!.scores).toMatchObject({ denseRank: 3, rerank: 0.9 });
  });

  it("applies the request's own min_score to the reranker's score, and keeps the fused order on ties", async () => {
    const reranker = rerankerStandIn({ "text of a": 0.3, "text of b": 0.3, "text of c": 0.3, "text of d": 0.1 });
    const result = await applyRerankStage({ reranking: settings(reranker, { minScore: 0.9 }) }, ranked(), {
      question: "q",
      tenant: "t",
      thresholds: { ...thresholds, requestedMinScore: 0.2 },
    });
    expect(ids(result.hits)).toEqual(["a", "b", "c"]);
    expect(result.report!.minScore).toBe(0.2);
  });

  it("degrades to the fused lists and the relevance threshold when the reranker fails, saying why", async () => {
    const before = ranked();
    const reranker = rerankerStandIn(new UpstreamTimeoutError("reranker did not answer within 50 ms"));
    const result = await applyRerankStage({ reranking: settings(reranker) }, before, { question: "q", tenant: "t", thresholds });
    expect(result.hits).toBe(before.hits);
    expect(result.reranked).toBeNull();
    expect(result.report).toEqual({
      status: "degraded",
      model: "openai:stand-in",
      candidates: 4,
      minScore: 0.5,
      reason: "reranker did not answer within 50 ms",
    });
    expect(result.fused.map((item) => result.reasonOf(item))).toEqual([null, null, null, "below_min_score", "below_min_score"]);
  });

  it("never shows a foreign error's text, and degrades when the caller has left", async () => {
    const secret = rerankerStandIn(new Error("connect ECONNREFUSED 10.0.0.7:8080 with key sk-123"));
    const failed = await applyRerankStage({ reranking: settings(secret) }, ranked(), { question: "q", tenant: "t", thresholds });
    expect(failed.report!.reason).toBe("the reranker failed");
    const controller = new AbortController();
    controller.abort();
    const aborted = await applyRerankStage({ reranking: settings(secret) }, ranked(), { question: "q", tenant: "t", thresholds, signal: controller.signal });
    expect(aborted.report).toMatchObject({ status: "degraded", reason: "the request was cancelled" });
  });

  it("skips a call when there is nothing to rerank", async () => {
    const reranker = rerankerStandIn({});
    const empty = rankCandidates({ dense: [], lexical: [] }, { topK: 3, candidateK: 10, minScore: 0 });
    const result = await applyRerankStage({ reranking: settings(reranker) }, empty, { question: "q", tenant: "t", thresholds });
    expect(reranker.calls).toEqual([]);
    expect(result.report).toMatchObject({ status: "skipped", candidates: 0 });
    expect(result.hits).toEqual([]);
  });
});
