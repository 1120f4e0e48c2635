import { SpanStatusCode } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { UpstreamUnavailableError } from "../../../src/core/errors.js";
import { startTracing } from "../../../src/observability/tracing.js";
import type { ChatModel, TokenUsage } from "../../../src/ports/chat-model.js";
import type { Reranker } from "../../../src/ports/reranker.js";
import { noopTracer } from "../../../src/ports/tracer.js";
import type { VectorStore } from "../../../src/ports/vector-store.js";
import { createTracedChatModel } from "../../../src/wrappers/traced-chat-model.js";
import { createTracedEmbedder } from "../../../src/wrappers/traced-embedder.js";
import { createTracedReranker } from "../../../src/wrappers/traced-reranker.js";
import { createTracedVectorStore } from "../../../src/wrappers/traced-vector-store.js";
import { LocalHashEmbedder } from "../../../src/adapters/embedder/local/local-hash-embedder.js";

const exporter = new InMemorySpanExporter();
const tracing = startTracing({ exporter });
const { tracer } = tracing;
const USAGE: TokenUsage = { inputTokens: 30, outputTokens: 7, cachedTokens: 4 };

/** A chat model that streams the given deltas then its usage, or fails after them when `failAfter` is set. */
function scriptedChat(deltas: string[], failAfter?: Error): ChatModel {
  return {
    modelId: "scripted-chat",
    generate: async () => {
      if (failAfter) throw failAfter;
      return { content: deltas.join(""), usage: USAGE, model: "scripted-chat-2026" };
    },
    async *stream() {
      for (const delta of deltas) yield { delta };
      if (failAfter) throw failAfter;
      yield { usage: USAGE };
    },
  };
}

const onlySpan = () => {
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
};

describe("traced port wrappers", () => {
  beforeEach(() => exporter.reset());
  afterAll(() => tracing.shutdown());

  it("return the port itself when tracing is off (nothing added to a call)", () => {
    const chat = scriptedChat([]);
    const embedder = new LocalHashEmbedder({ dimension: 8 });
    const reranker: Reranker = { modelId: "r", rerank: async () => ({ scores: [], usage: { inputTokens: null } }) };
    const store = { kind: "lancedb" } as VectorStore;
    expect(createTracedChatModel(chat, noopTracer)).toBe(chat);
    expect(createTracedEmbedder(embedder, undefined)).toBe(embedder);
    expect(createTracedReranker(reranker, noopTracer)).toBe(reranker);
    expect(createTracedVectorStore(store, noopTracer)).toBe(store);
  });

  it("a generated chat answer: one client span with the model, tokens and outcome", async () => {
    await createTracedChatModel(scriptedChat(["Hello"]), tracer).generate({ messages: [{ role: "user", content: "hi" }] });
    const span = onlySpan();
    expect(span.name).toBe("chat scripted-chat");
    expect(span.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "scripted-chat",
      "gen_ai.response.model": "scripted-chat-2026",
      "gen_ai.usage.input_tokens": 30,
      "gen_ai.usage.output_tokens": 7,
      "ragline.usage.cached_tokens": 4,
      "ragline.outcome": "ok",
    });
  });

  it("a failed chat call: the span is failed with the error and the outcome error; the error is rethrown", async () => {
    const error = new UpstreamUnavailableError("the model endpoint is down");
    await expect(createTracedChatModel(scriptedChat([], error), tracer).generate({ messages: [] })).rejects.toBe(error);
    const span = onlySpan();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: "the model endpoint is down" });
    expect(span.attributes["ragline.outcome"]).toBe("error");
    expect(span.events.map((event) => event.name)).toEqual(["exception"]);
  });

  it("a stream's span lasts until the stream ends and carries the usage part's tokens", async () => {
    const parts: unknown[] = [];
    for await (const part of createTracedChatModel(scriptedChat(["a", "b"]), tracer).stream({ messages: [] })) {
      parts.push(part);
      expect(exporter.getFinishedSpans()).toEqual([]);
    }
    expect(parts).toEqual([{ delta: "a" }, { delta: "b" }, { usage: USAGE }]);
    expect(onlySpan().attributes).toMatchObject({ "ragline.chat.stream": true, "gen_ai.usage.output_tokens": 7, "ragline.outcome": "ok" });
  });

  it("a stream its consumer leaves early ends as cancelled (and the model's stream is closed); one that breaks ends failed", async () => {
    let innerClosed = false;
    const chat: ChatModel = {
      ...scriptedChat([]),
      async *stream() {
        try {
          yield { delta: "a" };
          yield { delta: "b" };
        } finally {
          innerClosed = true;
        }
      },
    };
    for await (const part of createTracedChatModel(chat, tracer).stream({ messages: [] })) {
      expect(part).toEqual({ delta: "a" });
      break;
    }
    expect(onlySpan().attributes["ragline.outcome"]).toBe("cancelled");
    expect(innerClosed).toBe(true);
    exporter.reset();

    const cut = new UpstreamUnavailableError("the stream was cut");
    const consume = async () => {
      for await (const _part of createTracedChatModel(scriptedChat(["a"], cut), tracer).stream({ messages: [] })) void _part;
    };
    await expect(consume()).rejects.toBe(cut);
    const span = onlySpan();
    expect(span.attributes["ragline.outcome"]).toBe("error");
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("an embed call: the model, the number of texts, the tenant and the vectors' dimension", async () => {
    await createTracedEmbedder(new LocalHashEmbedder({ dimension: 8 }), tracer).embed(["one", "two"], { tenant: "acme" });
    const span = onlySpan();
    expect(span.name).toMatch(/^embeddings /);
    expect(span.attributes).toMatchObject({
      "ragline.embedding.texts": 2,
      "ragline.tenant": "acme",
      "gen_ai.embeddings.dimension.count": 8,
      "ragline.outcome": "ok",
    });
  });

  it("a rerank call: documents, input tokens, and `aborted` when the caller left", async () => {
    const reranker: Reranker = {
      modelId: "tei:bge",
      rerank: async (_query, documents, options) => {
        if (options?.signal?.aborted) throw new Error("aborted");
        return { scores: documents.map(() => 0.5), usage: { inputTokens: 12 } };
      },
    };
    const traced = createTracedReranker(reranker, tracer);
    await traced.rerank("q", ["a", "b", "c"], { tenant: "acme" });
    expect(onlySpan().attributes).toMatchObject({ "gen_ai.request.model": "tei:bge", "ragline.rerank.documents": 3, "gen_ai.usage.input_tokens": 12 });
    exporter.reset();
    await expect(traced.rerank("q", ["a"], { signal: AbortSignal.abort() })).rejects.toThrow("aborted");
    expect(onlySpan().attributes["ragline.outcome"]).toBe("aborted");
  });

  it("store calls: candidates with the engine, tenant and list sizes; upsert with its point count; health untraced", async () => {
    const store = {
      kind: "qdrant",
      candidates: async () => ({ dense: [{}, {}], lexical: [{}] }),
      upsert: async () => {},
      deleteDocument: async () => {},
      count: async () => 0,
      ensureCollection: async () => {},
      health: async () => ({ status: "up" }),
    } as unknown as VectorStore;
    const traced = createTracedVectorStore(store, tracer);
    await traced.candidates({ tenant: "acme", dense: [1], limit: 20 });
    expect(onlySpan().attributes).toMatchObject({
      "db.system.name": "qdrant",
      "ragline.tenant": "acme",
      "ragline.limit": 20,
      "ragline.candidates.dense": 2,
      "ragline.candidates.lexical": 1,
    });
    exporter.reset();
    await traced.upsert([{}, {}, {}] as Parameters<VectorStore["upsert"]>[0]);
    await traced.health();
    expect(onlySpan()).toMatchObject({ name: "vector_store.upsert", attributes: { "ragline.points": 3 } });
  });
});
