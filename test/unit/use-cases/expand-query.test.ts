import { describe, expect, it } from "vitest";
import { UpstreamUnavailableError, ValidationError } from "../../../src/core/errors.js";
import { lexicalQueryTerms } from "../../../src/core/ranking/lexical-query.js";
import { RM3_DEFAULTS } from "../../../src/core/ranking/query-expansion.js";
import type { CandidateLists, CandidatesRequest, LexicalCandidate, VectorStore } from "../../../src/ports/vector-store.js";
import { candidatesWithExpansion } from "../../../src/use-cases/expand-query.js";

function chunk(id: string, text: string, score: number): LexicalCandidate {
  const metadata = {
    documentId: id,
    title: "",
    source: "",
    chunkIndex: 0,
    start: 0,
    end: text.length,
    headingPath: [],
    page: null,
    contentHash: "",
    embeddingModel: "m",
  };
  return { id, tenant: "t", text, metadata, score, similarity: 0.1 };
}

/**
 * Stands in for a store whose answers and failures a test must choose (a real engine cannot be made
 * to fail on exactly the second call): answers each `candidates` call from `answers`, in order, and
 * records the requests.
 */
function scriptedStoreStandIn(answers: Array<CandidateLists | Error>): VectorStore & { requests: CandidatesRequest[] } {
  const requests: CandidatesRequest[] = [];
  const fail = () => Promise.reject(new Error("not used"));
  return {
    kind: "scripted-stand-in",
    requests,
    async candidates(request) {
      requests.push(request);
      const answer = answers[requests.length - 1];
      if (answer === undefined) throw new Error("unexpected call");
      if (answer instanceof Error) throw answer;
      return answer;
    },
    ensureCollection: fail,
    upsert: fail,
    deleteDocument: fail,
    count: fail,
    health: fail,
    close: fail,
  };
}

const first: CandidateLists = {
  dense: [chunk("dense-1", "unrelated", 0.4)],
  lexical: [chunk("kiwi", "The kiwi is a flightless bird.", 7)],
};
const second: CandidateLists = {
  dense: [chunk("dense-2", "another", 0.3)],
  lexical: [chunk("kiwi", "The kiwi is a flightless bird.", 9), chunk("takahe", "The takahe is a flightless bird.", 3)],
};
const request: CandidatesRequest = { tenant: "t", dense: [1, 0], lexicalTerms: lexicalQueryTerms("kiwi"), limit: 10 };

describe("candidatesWithExpansion", () => {
  it("asks once and keeps the first lists when expansion is off or the gate says no", async () => {
    for (const settings of [undefined, { ...RM3_DEFAULTS, mode: "off" as const }]) {
      const store = scriptedStoreStandIn([first]);
      const { lists, expansion } = await candidatesWithExpansion(store, request, settings);
      expect(store.requests).toHaveLength(1);
      expect(lists).toBe(first);
      expect(expansion).toMatchObject({ mode: "off", applied: false, reason: "off", firstLexical: null });
    }
  });

  it("asks again with the expanded terms and fuses the first dense list with the second lexical list", async () => {
    const store = scriptedStoreStandIn([first, second]);
    const { lists, expansion } = await candidatesWithExpansion(store, request, { ...RM3_DEFAULTS, mode: "gated" });
    expect(store.requests).toHaveLength(2);
    const terms = store.requests[1]!.lexicalTerms!.map((term) => term.term);
    expect(terms).toEqual(expect.arrayContaining(["kiwi", "flightless", "bird"]));
    expect({ ...store.requests[1], lexicalTerms: undefined }).toEqual({ ...request, lexicalTerms: undefined });
    expect(lists.dense).toBe(first.dense);
    expect(lists.lexical).toBe(second.lexical);
    expect(expansion).toMatchObject({ mode: "gated", applied: true, reason: "short_query", firstLexical: first.lexical });
    expect(expansion.terms.find((term) => term.term === "flightless")).toMatchObject({ fromQuestion: false });
    expect(expansion.terms.find((term) => term.term === "kiwi")).toMatchObject({ fromQuestion: true });
  });

  it("keeps the first lists when the store fails the expanded pass transiently; other errors propagate", async () => {
    const failing = scriptedStoreStandIn([first, new UpstreamUnavailableError("down")]);
    const { lists, expansion } = await candidatesWithExpansion(failing, request, { ...RM3_DEFAULTS, mode: "always" });
    expect(lists).toBe(first);
    expect(expansion).toMatchObject({ applied: false, reason: "second_pass_failed", firstLexical: null });

    const refusing = scriptedStoreStandIn([first, new ValidationError("bad")]);
    await expect(candidatesWithExpansion(refusing, request, { ...RM3_DEFAULTS, mode: "always" })).rejects.toBeInstanceOf(ValidationError);
  });
});
