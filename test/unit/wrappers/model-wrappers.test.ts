import { describe, expect, it } from "vitest";
import { UpstreamError, UpstreamTimeoutError } from "../../../src/core/errors.js";
import type { ChatModel, TokenUsage } from "../../../src/ports/chat-model.js";
import type { Embedder } from "../../../src/ports/embedder.js";
import { createCoalescingEmbedder } from "../../../src/wrappers/coalescing-embedder.js";
import { createResiliencePolicy } from "../../../src/wrappers/resilience-policy.js";
import { createResilientChatModel } from "../../../src/wrappers/resilient-chat-model.js";
import { createResilientEmbedder } from "../../../src/wrappers/resilient-embedder.js";
import { createRoutedChatModel } from "../../../src/wrappers/routed-chat-model.js";

type Part = { delta: string } | { usage: TokenUsage };
const USAGE: TokenUsage = { inputTokens: 1, outputTokens: 1, cachedTokens: 0 };
const policy = (overrides: { maxAttempts?: number; breakerThreshold?: number } = {}) =>
  createResiliencePolicy({ name: "dep", timeoutMs: 500, maxAttempts: 2, breakerThreshold: 10, halfOpenAfterMs: 60_000, initialDelayMs: 1, ...overrides });

/** A chat model scripted in-process; each stream call takes the next script (a list of parts, an error, or a stall after some parts). */
function scriptedChat(modelId: string, scripts: Array<Part[] | Error | { stallAfter: Part[] }>): ChatModel & { calls: number } {
  const model = {
    modelId,
    calls: 0,
    async generate() {
      model.calls++;
      const script = scripts.shift();
      if (script instanceof Error) throw script;
      return { content: modelId, usage: USAGE, model: modelId };
    },
    async *stream(request: { signal?: AbortSignal }) {
      model.calls++;
      const script = scripts.shift() ?? [];
      if (script instanceof Error) throw script;
      const parts = Array.isArray(script) ? script : script.stallAfter;
      for (const part of parts) yield part;
      if (!Array.isArray(script)) await new Promise((resolve) => request.signal?.addEventListener("abort", resolve, { once: true }));
    },
  };
  return model;
}

async function collect(parts: AsyncIterable<Part>): Promise<Part[]> {
  const seen: Part[] = [];
  for await (const part of parts) seen.push(part);
  return seen;
}

describe("model wrappers (wrapPort)", () => {
  it("pass the embedder's capabilities through live, without copies", async () => {
    const inner: Embedder = {
      modelId: "m1",
      dimension: 2,
      maxInputsPerCall: 4,
      maxTokensPerCall: 100,
      supportsParallelCalls: true,
      embed: async (texts) => texts.map(() => [1, 0]),
    };
    const wrapped = createCoalescingEmbedder(createResilientEmbedder(inner, policy()), { windowMs: 1 });
    expect([wrapped.modelId, wrapped.dimension, wrapped.maxInputsPerCall, wrapped.maxTokensPerCall, wrapped.supportsParallelCalls]).toEqual([
      "m1",
      2,
      4,
      100,
      true,
    ]);
    (inner as { modelId: string }).modelId = "m2";
    expect(wrapped.modelId).toBe("m2");
    expect(await wrapped.embed(["a", "b"])).toEqual([
      [1, 0],
      [1, 0],
    ]);
  });

  it("resilient embedder retries a transient failure and reports only a final failure", async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const inner: Embedder = {
      modelId: "m",
      dimension: 1,
      maxInputsPerCall: 8,
      maxTokensPerCall: 1000,
      supportsParallelCalls: true,
      embed: async (texts) => {
        calls++;
        if (calls === 1) throw new UpstreamError("flaky");
        return texts.map(() => [1]);
      },
    };
    const wrapped = createResilientEmbedder(inner, policy(), { onError: (error) => errors.push(error) });
    expect(await wrapped.embed(["x"])).toEqual([[1]]);
    expect(calls).toBe(2);
    expect(errors).toEqual([]);
  });

  it("resilient stream: retried before its first part, ended by the idle timeout after it", async () => {
    const chat = scriptedChat("m", [new UpstreamError("refused"), { stallAfter: [{ delta: "a" }] }]);
    const errors: unknown[] = [];
    const wrapped = createResilientChatModel(chat, policy(), { idleTimeoutMs: 50, onError: (error) => errors.push(error) });
    const seen: Part[] = [];
    await expect(
      (async () => {
        for await (const part of wrapped.stream({ messages: [] })) seen.push(part);
      })(),
    ).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(seen).toEqual([{ delta: "a" }]);
    expect(chat.calls).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it("routed model: the primary until its breaker opens, then the fallback (also for the call that opened it)", async () => {
    const primaryPolicy = policy({ maxAttempts: 1, breakerThreshold: 1 });
    const primary = createResilientChatModel(scriptedChat("main", [new UpstreamError("down"), new UpstreamError("down")]), primaryPolicy, {
      idleTimeoutMs: 100,
    });
    const fallback = scriptedChat("spare", []);
    const routed = createRoutedChatModel({ primary, primaryPolicy, fallback });
    expect(routed.modelId).toBe("main");
    expect((await routed.generate({ messages: [] })).model).toBe("spare");
    expect(routed.modelId).toBe("spare");
    expect(await collect(routed.stream({ messages: [] }))).toEqual([]);
    expect(fallback.calls).toBe(2);
    expect(createRoutedChatModel({ primary, primaryPolicy, fallback: null })).toBe(primary);
  });

  it("routed stream falls back when the primary fails before its first part", async () => {
    const primaryPolicy = policy({ maxAttempts: 1, breakerThreshold: 1 });
    const primary = createResilientChatModel(scriptedChat("main", [new UpstreamError("down")]), primaryPolicy, { idleTimeoutMs: 100 });
    const routed = createRoutedChatModel({ primary, primaryPolicy, fallback: scriptedChat("spare", [[{ delta: "ok" }, { usage: USAGE }]]) });
    expect(await collect(routed.stream({ messages: [] }))).toEqual([{ delta: "ok" }, { usage: USAGE }]);
  });
});
