import { describe, expect, it } from "vitest";
import { parseRerankReply } from "../../../src/adapters/reranker/openai-compatible/rerank-response.js";
import { UpstreamError } from "../../../src/core/errors.js";

describe("parseRerankReply", () => {
  it("puts {results} scores back in input order and reads the tokens the server reported", () => {
    const reply = {
      results: [
        { index: 2, relevance_score: 0.9, document: { text: "c" } },
        { index: 0, relevance_score: 0.4 },
        { index: 1, relevance_score: -0.5 },
      ],
      usage: { total_tokens: 31 },
    };
    expect(parseRerankReply(reply, 3)).toEqual({ scores: [0.4, -0.5, 0.9], inputTokens: 31 });
    expect(parseRerankReply({ ...reply, usage: { prompt_tokens: 12, total_tokens: 31 } }, 3).inputTokens).toBe(12);
    expect(parseRerankReply({ results: reply.results, meta: { billed_units: { search_units: 1 } } }, 3).inputTokens).toBeNull();
  });

  it("reads TEI's bare array", () => {
    expect(
      parseRerankReply(
        [
          { index: 1, score: 0.7 },
          { index: 0, score: 0.1 },
        ],
        2,
      ),
    ).toEqual({ scores: [0.1, 0.7], inputTokens: null });
  });

  it.each([
    [
      "a repeated index",
      {
        results: [
          { index: 0, relevance_score: 1 },
          { index: 0, relevance_score: 0.5 },
        ],
      },
      /two scores for document 0/,
    ],
    [
      "an index out of range",
      {
        results: [
          { index: 0, relevance_score: 1 },
          { index: 2, relevance_score: 0.5 },
        ],
      },
      /score for document 2 of 2/,
    ],
    ["too few scores", [{ index: 0, score: 1 }], /1 scores for 2 documents/],
    [
      "a score that is not a number",
      {
        results: [
          { index: 0, relevance_score: "high" },
          { index: 1, relevance_score: 0.5 },
        ],
      },
      /unknown shape/,
    ],
    [
      "a negative index",
      [
        { index: -1, score: 1 },
        { index: 0, score: 1 },
      ],
      /unknown shape/,
    ],
    ["another shape", { data: [{ index: 0, score: 1 }] }, /unknown shape/],
    ["null", null, /unknown shape/],
  ])("refuses %s", (_name, reply, message) => {
    expect(() => parseRerankReply(reply, 2)).toThrow(UpstreamError);
    expect(() => parseRerankReply(reply, 2)).toThrow(message);
  });
});
