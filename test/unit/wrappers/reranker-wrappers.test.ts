import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MemoryKeyValue } from "../../../src/adapters/key-value/memory/memory-key-value.js";
import { OpenAiCompatibleReranker } from "../../../src/adapters/reranker/openai-compatible/openai-compatible-reranker.js";
import { ModelRateLimitedError } from "../../../src/adapters/openai/openai-errors.js";
import { UpstreamError, UpstreamTimeoutError } from "../../../src/core/errors.js";
import type { KeyValue } from "../../../src/ports/key-value.js";
import { createCachingReranker, rerankCacheKey } from "../../../src/wrappers/caching-reranker.js";
import { createMeteredReranker, type RerankCall } from "../../../src/wrappers/metered-reranker.js";
import { CircuitOpenError, createResiliencePolicy } from "../../../src/wrappers/resilience-policy.js";
import { createResilientReranker } from "../../../src/wrappers/resilient-reranker.js";
import { startRerankStandIn, wordOverlapScore, type RerankStandIn } from "../../helpers/rerank-stand-in-server.js";
import { rejectionOf } from "../../helpers/rejection.js";

const QUERY = "Which birds cannot fly";
const DOCUMENTS = ["Sourdough needs a starter.", "Kiwis are birds that cannot fly.", "Penguins are birds."];
const expected = (documents: string[]) => documents.map((document) => wordOverlapScore(QUERY, document));

const policy = (overrides: { timeoutMs?: number; maxAttempts?: number; breakerThreshold?: number } = {}) =>
  createResiliencePolicy({
    name: "reranker",
    timeoutMs: 2_000,
    maxAttempts: 3,
    breakerThreshold: 10,
    halfOpenAfterMs: 60_000,
    initialDelayMs: 5,
    ...overrides,
  });

describe("reranker wrappers over the /rerank stand-in server", () => {
  let standIn: RerankStandIn;
  let adapter: OpenAiCompatibleReranker;
  beforeAll(async () => {
    standIn = await startRerankStandIn();
    adapter = new OpenAiCompatibleReranker({ baseUrl: standIn.baseUrl, apiKey: null, model: "stand-in-rerank", requestFormat: "documents" });
  });
  afterAll(async () => {
    await standIn.close();
  });
  beforeEach(() => {
    standIn.requests.length = 0;
    standIn.defaultBehaviour = { kind: "ok" };
  });

  describe("resilience (timeout, retries, breaker)", () => {
    it("retries a 500 and a malformed reply, then returns the scores", async () => {
      standIn.script({ kind: "status", status: 500 }, { kind: "invalid-json" });
      const errors: unknown[] = [];
      const reranker = createResilientReranker(adapter, policy(), { onError: (error) => errors.push(error) });
      expect((await reranker.rerank(QUERY, DOCUMENTS)).scores).toEqual(expected(DOCUMENTS));
      expect(standIn.requests).toHaveLength(3);
      expect(errors).toEqual([]);
    });

    it("waits the Retry-After a 429 asked for before trying again", async () => {
      standIn.script({ kind: "status", status: 429, retryAfter: "0.3" });
      const reranker = createResilientReranker(adapter, policy({ timeoutMs: 2_000 }));
      const started = performance.now();
      expect((await reranker.rerank(QUERY, DOCUMENTS)).scores).toEqual(expected(DOCUMENTS));
      expect(performance.now() - started).toBeGreaterThanOrEqual(280);
      expect(standIn.requests).toHaveLength(2);
    });

    it("gives up on a server slower than the timeout after every attempt, with a timeout error", async () => {
      standIn.defaultBehaviour = { kind: "hang" };
      const errors: unknown[] = [];
      const reranker = createResilientReranker(adapter, policy({ timeoutMs: 80, maxAttempts: 2 }), { onError: (error) => errors.push(error) });
      const error = await rejectionOf(reranker.rerank(QUERY, DOCUMENTS));
      expect(error).toBeInstanceOf(UpstreamTimeoutError);
      expect(standIn.requests).toHaveLength(2);
      expect(errors).toEqual([error]);
    });

    it("does not retry a reply of the wrong length forever, and reports it as an upstream error", async () => {
      standIn.defaultBehaviour = { kind: "wrong-length" };
      const reranker = createResilientReranker(adapter, policy({ maxAttempts: 2 }));
      const error = await rejectionOf(reranker.rerank(QUERY, DOCUMENTS));
      expect(error).toBeInstanceOf(UpstreamError);
      expect((error as Error).message).toBe("the reranker returned 2 scores for 3 documents");
      expect(standIn.requests).toHaveLength(2);
    });

    it("opens the breaker after consecutive failures and then fails fast without calling the server", async () => {
      standIn.defaultBehaviour = { kind: "status", status: 503 };
      const reranker = createResilientReranker(adapter, policy({ maxAttempts: 1, breakerThreshold: 2 }));
      await rejectionOf(reranker.rerank(QUERY, DOCUMENTS));
      await rejectionOf(reranker.rerank(QUERY, DOCUMENTS));
      const sent = standIn.requests.length;
      const error = await rejectionOf(reranker.rerank(QUERY, DOCUMENTS));
      expect(error).toBeInstanceOf(CircuitOpenError);
      expect(standIn.requests).toHaveLength(sent);
    });

    it("does not retry a 429 whose Retry-After is too long to wait: the caller gets it", async () => {
      standIn.script({ kind: "status", status: 429, retryAfter: "120" });
      const reranker = createResilientReranker(adapter, policy());
      const error = await rejectionOf(reranker.rerank(QUERY, DOCUMENTS));
      expect(error).toBeInstanceOf(ModelRateLimitedError);
      expect(standIn.requests).toHaveLength(1);
    });
  });

  describe("cache (model + query + document hash)", () => {
    it("asks the reranker only for documents it has not scored for this query and model, in order", async () => {
      const keyValue = new MemoryKeyValue({ maxEntries: 100 });
      const lookups: Array<[number, number]> = [];
      const reranker = createCachingReranker(adapter, { keyValue, onLookup: (hits, misses) => lookups.push([hits, misses]) });
      expect((await reranker.rerank(QUERY, DOCUMENTS)).scores).toEqual(expected(DOCUMENTS));
      const more = ["Ostriches are birds that cannot fly either.", DOCUMENTS[1]!, DOCUMENTS[0]!];
      const second = await reranker.rerank(QUERY, more);
      expect(second.scores).toEqual(expected(more));
      expect(standIn.requests.map((request) => request.body.documents)).toEqual([DOCUMENTS, [more[0]]]);
      expect(lookups).toEqual([
        [0, 3],
        [2, 1],
      ]);
      // Everything cached: no call, no tokens reported.
      expect(await reranker.rerank(QUERY, more)).toEqual({ scores: expected(more), usage: { inputTokens: null } });
      expect(standIn.requests).toHaveLength(2);
      expect(await keyValue.mget([rerankCacheKey(adapter.modelId, QUERY, DOCUMENTS[1]!)])).toEqual([String(expected(DOCUMENTS)[1])]);
    });

    it("keys scores by model and query", () => {
      const key = rerankCacheKey("openai:a", QUERY, DOCUMENTS[0]!);
      expect(key).toMatch(/^rerank:openai:a:[0-9a-f]{64}:[0-9a-f]{64}$/);
      expect(rerankCacheKey("openai:b", QUERY, DOCUMENTS[0]!)).not.toBe(key);
      expect(rerankCacheKey("openai:a", "another question", DOCUMENTS[0]!)).not.toBe(key);
      expect(rerankCacheKey("openai:a", QUERY, DOCUMENTS[1]!)).not.toBe(key);
    });

    it("scores a document repeated in one call once", async () => {
      const reranker = createCachingReranker(adapter, { keyValue: new MemoryKeyValue({ maxEntries: 100 }) });
      const repeated = [DOCUMENTS[1]!, DOCUMENTS[2]!, DOCUMENTS[1]!];
      expect((await reranker.rerank(QUERY, repeated)).scores).toEqual(expected(repeated));
      expect(standIn.requests[0]!.body.documents).toEqual([DOCUMENTS[1], DOCUMENTS[2]]);
    });

    it("reranks without a cache that fails, never failing because of it", async () => {
      const broken: KeyValue = {
        mget: async () => {
          throw new Error("cache down");
        },
        mset: async () => {
          throw new Error("cache down");
        },
      };
      const reranker = createCachingReranker(adapter, { keyValue: broken });
      expect((await reranker.rerank(QUERY, DOCUMENTS)).scores).toEqual(expected(DOCUMENTS));
      expect((await reranker.rerank(QUERY, DOCUMENTS)).scores).toEqual(expected(DOCUMENTS));
      expect(standIn.requests).toHaveLength(2);
    });
  });

  describe("usage accounting", () => {
    it("reports each call that reaches the reranker with its tokens, latency and outcome, and not cache hits", async () => {
      const calls: RerankCall[] = [];
      const reranker = createCachingReranker(
        createMeteredReranker(createResilientReranker(adapter, policy({ maxAttempts: 1 })), (call) => calls.push(call)),
        { keyValue: new MemoryKeyValue({ maxEntries: 100 }) },
      );
      await reranker.rerank(QUERY, DOCUMENTS, { tenant: "acme" });
      await reranker.rerank(QUERY, DOCUMENTS, { tenant: "acme" });
      standIn.script({ kind: "status", status: 500 });
      await rejectionOf(reranker.rerank("another question", DOCUMENTS, { tenant: "acme" }));
      expect(calls).toEqual([
        {
          model: "openai:stand-in-rerank",
          tenant: "acme",
          documents: 3,
          inputTokens: 3 * standIn.tokensPerDocument,
          latencyMs: expect.any(Number),
          outcome: "ok",
        },
        { model: "openai:stand-in-rerank", tenant: "acme", documents: 3, inputTokens: null, latencyMs: expect.any(Number), outcome: "error" },
      ]);
      expect(calls[0]!.latencyMs).toBeGreaterThan(0);
    });
  });
});
