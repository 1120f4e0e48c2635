import { describe, expect, it } from "vitest";
import { answerCacheKey, normalizeQuestion } from "../../src/use-cases/answer/answer-cache.js";
import { resolveModelCitations } from "../../src/core/answer/citations.js";
import { escapeDelimiters, parsePromptFile } from "../../src/core/answer/prompt-templates.js";
import { loadPromptTemplates } from "../../src/adapters/prompts/file-prompt-templates.js";
import { parseAnswerOutput } from "../../src/use-cases/answer/structured-answer.js";
import { passagesWithinBudget } from "../../src/core/answer/token-budget.js";
import { UpstreamError, UpstreamUnavailableError } from "../../src/core/errors.js";
import { createTokenCounter } from "../../src/core/text/token-counter.js";
import { createCoalescingEmbedder } from "../../src/wrappers/coalescing-embedder.js";
import { estimateCostUsd } from "../../src/observability/model-usage-recorder.js";
import { retryAfterSeconds } from "../../src/adapters/openai/openai-errors.js";
import { createResiliencePolicy } from "../../src/wrappers/resilience-policy.js";
import { HITS, hit } from "../helpers/model-layer-fixtures.js";
import { CountingEmbedder } from "../helpers/test-runtime.js";

describe("model layer parts", () => {
  it("loads versioned prompt files with a shared static part per output mode", () => {
    const templates = loadPromptTemplates({ version: "v1" });
    expect(templates.answer.version).toBe("answer.v1");
    expect(templates.fallback.version).toBe("fallback.v1");
    expect(templates.answer.system.json.startsWith(templates.answer.system.text.split("\n\nReply")[0]!)).toBe(true);
    expect(() => parsePromptFile("no sections", "x.v1")).toThrow(/sections/);
    expect(() => loadPromptTemplates({ version: "v999" })).toThrow();
  });

  it("escapes delimiter look-alikes in quoted text", () => {
    expect(escapeDelimiters("a </document> <documents> <Question>")).toBe("a &lt;/document> &lt;documents> &lt;Question>");
  });

  it("validates model output with paths in the issues, tolerating a json fence", () => {
    expect(parseAnswerOutput('```json\n{"answer":"x [1]","citations":[1],"context_sufficient":true}\n```')).toMatchObject({ ok: true });
    const invalid = parseAnswerOutput('{"answer":"","citations":[1.5]}');
    expect(invalid.ok).toBe(false);
    expect(!invalid.ok && invalid.issues.join("\n")).toMatch(/answer:[\s\S]*citations\.0:[\s\S]*context_sufficient:/);
  });

  it("keys the answer cache on normalised question, chunk ids and hashes, prompt version and model", () => {
    const base = { tenant: "t", question: "What is Etna?", hits: HITS, promptVersion: "answer.v1", model: "m" };
    expect(normalizeQuestion("  What IS   Etna?? ")).toBe("what is etna");
    expect(answerCacheKey(base)).toBe(answerCacheKey({ ...base, question: "what is etna" }));
    expect(answerCacheKey(base)).not.toBe(answerCacheKey({ ...base, hits: [hit(1, "x", "doc-1", "changed"), ...HITS.slice(1)] }));
    expect(answerCacheKey(base)).not.toBe(answerCacheKey({ ...base, promptVersion: "answer.v2" }));
    expect(answerCacheKey(base)).not.toBe(answerCacheKey({ ...base, model: "other" }));
  });

  it("drops citations outside the retrieved set", () => {
    const resolved = resolveModelCitations("A [1] B [4] C [2]", [3, 9], HITS);
    expect(resolved.citations.map((citation) => citation.n)).toEqual([1, 2, 3]);
    expect(resolved.answer).toBe("A [1] B C [2]");
  });

  it("fits whole passages in the token budget, dropping the lowest-ranked", () => {
    const counter = createTokenCounter();
    const passage = "word ".repeat(100);
    const result = passagesWithinBudget(counter, { budget: 250, fixedTexts: ["system"], passages: [passage, passage, passage, "tiny"] });
    expect(result.kept).toBe(2);
    expect(passagesWithinBudget(counter, { budget: 5, fixedTexts: ["system prompt is long"], passages: [] }).kept).toBe(-1);
  });

  it("estimates cost from the price table, cached input at its own price", () => {
    const prices = { m: { input: 2, output: 8, cachedInput: 1 } };
    expect(estimateCostUsd(prices, "m", { inputTokens: 1000, outputTokens: 100, cachedTokens: 400 })).toBeCloseTo((600 * 2 + 400 * 1 + 100 * 8) / 1e6, 12);
    expect(estimateCostUsd(prices, "unknown", { inputTokens: 1000, outputTokens: 100, cachedTokens: 0 })).toBe(0);
  });

  it("reads Retry-After as seconds, milliseconds or an HTTP date", () => {
    expect(retryAfterSeconds(new Headers({ "retry-after": "3" }))).toBe(3);
    expect(retryAfterSeconds(new Headers({ "retry-after-ms": "250" }))).toBe(0.25);
    expect(retryAfterSeconds(new Headers({ "retry-after": new Date(Date.now() + 5000).toUTCString() }))).toBeGreaterThan(3);
    expect(retryAfterSeconds(new Headers())).toBeUndefined();
  });

  it("coalesces concurrent embed calls and splits the vectors back per caller", async () => {
    const inner = new CountingEmbedder(32);
    const embedder = createCoalescingEmbedder(inner, { windowMs: 5 });
    const [a, b] = await Promise.all([embedder.embed(["alpha"]), embedder.embed(["beta", "gamma"])]);
    expect(inner.calls).toBe(1);
    expect(a).toEqual(await inner.inner.embed(["alpha"]));
    expect(b).toEqual(await inner.inner.embed(["beta", "gamma"]));
  });

  it("coalesces per tenant, so every request's usage belongs to one tenant", async () => {
    const tenants: Array<string | undefined> = [];
    const inner = new CountingEmbedder(32);
    const recording = {
      ...inner,
      modelId: inner.modelId,
      dimension: inner.dimension,
      maxInputsPerCall: inner.maxInputsPerCall,
      maxTokensPerCall: inner.maxTokensPerCall,
      supportsParallelCalls: inner.supportsParallelCalls,
      embed: (texts: string[], options?: { tenant?: string }) => (tenants.push(options?.tenant), inner.embed(texts)),
    };
    const embedder = createCoalescingEmbedder(recording, { windowMs: 5 });
    await Promise.all([embedder.embed(["a"], { tenant: "t1" }), embedder.embed(["b"], { tenant: "t2" }), embedder.embed(["c"], { tenant: "t1" })]);
    expect(inner.calls).toBe(2);
    expect(tenants.sort()).toEqual(["t1", "t2"]);
  });

  it("policy: retries transient errors only, honours Retry-After, opens the breaker", async () => {
    const policy = createResiliencePolicy({ name: "dep", timeoutMs: 100, maxAttempts: 3, breakerThreshold: 10, halfOpenAfterMs: 60_000, initialDelayMs: 1 });
    let calls = 0;
    await expect(
      policy.execute(async () => {
        calls++;
        throw new UpstreamError("boom");
      }),
    ).rejects.toBeInstanceOf(UpstreamError);
    expect(calls).toBe(3);
    calls = 0;
    const started = Date.now();
    const value = await policy.execute(async () => {
      calls++;
      if (calls === 1) throw new UpstreamUnavailableError("busy", { retryAfterSeconds: 0.2 });
      return "ok";
    });
    expect(value).toBe("ok");
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    const breaking = createResiliencePolicy({ name: "dep", timeoutMs: 100, maxAttempts: 1, breakerThreshold: 2, halfOpenAfterMs: 60_000 });
    calls = 0;
    const failing = async () => {
      calls++;
      throw new UpstreamError("again");
    };
    await expect(breaking.execute(failing)).rejects.toBeInstanceOf(UpstreamError);
    await expect(breaking.execute(failing)).rejects.toBeInstanceOf(UpstreamError);
    expect(breaking.breakerState).toBe("open");
    await expect(breaking.execute(failing)).rejects.toMatchObject({ status: 503, retryAfterSeconds: 60 });
    expect(calls).toBe(2);
  });

  it("policy: many concurrent calls without a caller signal raise no MaxListenersExceededWarning", async () => {
    const policy = createResiliencePolicy({ name: "dep", timeoutMs: 1_000, maxAttempts: 2, breakerThreshold: 10, halfOpenAfterMs: 60_000 });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, index) => policy.execute(() => new Promise<number>((resolve) => setTimeout(() => resolve(index), 5)))),
      );
      expect(results).toEqual(Array.from({ length: 40 }, (_, index) => index));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((warning) => warning.name === "MaxListenersExceededWarning")).toEqual([]);
  });
});
