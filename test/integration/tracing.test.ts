import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { composeRuntime, type Runtime } from "../../src/compose/compose-runtime.js";
import { createApp } from "../../src/http/create-app.js";
import { Metrics } from "../../src/observability/metrics.js";
import { startTracing, type Tracing } from "../../src/observability/tracing.js";
import { modelConfig } from "../helpers/model-layer-fixtures.js";
import { startOpenAiStandIn, type OpenAiStandIn } from "../helpers/openai-stand-in-server.js";
import { recordingLogger } from "../helpers/recording-logger.js";
import { jsonRequest } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

const ETNA = "Mount Etna is an active stratovolcano on the east coast of Sicily. It erupts frequently and its lava flows have reached nearby towns.";
const BREAD = "Sourdough bread is leavened with a culture of wild yeast and lactic acid bacteria. The starter is fed with flour and water every day.";

function upload(name: string, text: string): RequestInit {
  const form = new FormData();
  form.append("file", new Blob([text], { type: "text/plain" }), name);
  return { method: "POST", body: form };
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** The spans of one trace, with helpers to walk its tree by name. */
function traceOf(spans: ReadableSpan[], traceId: string) {
  const own = spans.filter((span) => span.spanContext().traceId === traceId);
  const named = (name: string) => {
    const found = own.filter((span) => span.name === name);
    expect(
      found.map((span) => span.name),
      `span ${name}`,
    ).toEqual([name]);
    return found[0]!;
  };
  const childrenOf = (parent: ReadableSpan) => own.filter((span) => parentOf(span) === parent.spanContext().spanId).map((span) => span.name);
  const isDescendant = (span: ReadableSpan, ancestor: ReadableSpan): boolean => {
    for (let current: ReadableSpan | undefined = span; current; current = own.find((other) => other.spanContext().spanId === parentOf(current!))) {
      if (current === ancestor) return true;
    }
    return false;
  };
  return { own, named, childrenOf, isDescendant };
}

describe("tracing with an in-memory exporter: one query and one ingest through the HTTP API", () => {
  let standIn: OpenAiStandIn;
  let runtime: Runtime;
  let tracing: Tracing;
  let dataDir: string;
  let app: ReturnType<typeof createApp>;
  const exporter = new InMemorySpanExporter();
  const logs = recordingLogger();
  const documentIds: Record<string, string> = {};
  const uploadTraceIds: string[] = [];

  beforeAll(async () => {
    standIn = await startOpenAiStandIn();
    dataDir = await mkdtemp(join(tmpdir(), "ragline-tracing-test-"));
    const config = modelConfig(standIn.baseUrl, { server: { dataDir }, retrieval: { minScore: 0.1 } });
    tracing = startTracing({ exporter });
    runtime = await composeRuntime({
      config,
      retrievalSettings: { current: () => config.retrieval },
      logger: logs,
      metrics: new Metrics(),
      tracer: tracing.tracer,
    });
    await runtime.startWorkers();
    app = createApp(runtime.deps);
    for (const [name, text] of [
      ["etna-notes.txt", ETNA],
      ["bread-notes.txt", BREAD],
    ] as const) {
      const response = await app.request("/v1/documents", upload(name, text));
      expect(response.status).toBe(202);
      uploadTraceIds.push(response.headers.get("x-trace-id")!);
      const [document] = ((await response.json()) as { documents: Array<{ id: string }> }).documents;
      documentIds[name] = document!.id;
      await waitFor(
        async () => ((await (await app.request(`/v1/documents/${document!.id}`)).json()) as { status: string }).status === "indexed",
        `${name} indexed`,
      );
    }
  });
  afterAll(async () => {
    await runtime.close();
    await tracing.shutdown();
    await standIn.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  describe("ingest", () => {
    it("traces each batch with its claim, parse, embed, upsert and finalize stages, the store write under the upsert stage", () => {
      const spans = exporter.getFinishedSpans();
      const batches = spans.filter((span) => span.name === "ingest.batch");
      expect(batches.length).toBeGreaterThanOrEqual(1);
      const batch = batches[0]!;
      expect(parentOf(batch)).toBeUndefined();
      const trace = traceOf(spans, batch.spanContext().traceId);
      expect(trace.childrenOf(batch)).toEqual(["ingest.claim", "ingest.parse", "ingest.embed", "ingest.upsert", "ingest.finalize"]);
      expect(trace.childrenOf(trace.named("ingest.upsert"))).toContain("vector_store.upsert");
      expect(trace.named("vector_store.upsert").attributes["ragline.points"]).toBeGreaterThan(0);
      // The chunks' embedding request (packed by the ingest embedder) is a model call under the embed stage.
      const embedding = trace.named("embeddings openai:stand-in-embed:d64");
      expect(trace.isDescendant(embedding, trace.named("ingest.embed"))).toBe(true);
      expect(embedding.attributes).toMatchObject({
        "gen_ai.operation.name": "embeddings",
        "gen_ai.request.model": "openai:stand-in-embed:d64",
        "ragline.outcome": "ok",
      });
    });

    it("links each batch to the upload request that queued its documents (a batch is a trace of its own)", () => {
      const batches = exporter.getFinishedSpans().filter((span) => span.name === "ingest.batch");
      const linked = batches.flatMap((batch) => batch.links.map((link) => link.context.traceId));
      expect(new Set(linked)).toEqual(new Set(uploadTraceIds));
      for (const batch of batches) expect(uploadTraceIds).not.toContain(batch.spanContext().traceId);
      const uploads = exporter.getFinishedSpans().filter((span) => span.name === "POST /v1/documents");
      expect(batches.flatMap((batch) => batch.links.map((link) => link.context.spanId)).sort()).toEqual(
        uploads.map((span) => span.spanContext().spanId).sort(),
      );
    });

    it("logs each indexed document with its id and file name, in its batch's trace", () => {
      const indexed = logs.lines.filter((line) => line.message === "document indexed");
      const etna = indexed.find((line) => line.fields.documentId === documentIds["etna-notes.txt"]);
      expect(etna?.fields).toMatchObject({ source: "etna-notes.txt", tenant: "default", chunks: 1, component: "ingest" });
      expect(typeof etna?.fields.jobId).toBe("string");
      const batchTraceIds = exporter
        .getFinishedSpans()
        .filter((span) => span.name === "ingest.batch")
        .map((span) => span.spanContext().traceId);
      expect(batchTraceIds).toContain(etna?.fields.traceId);
    });
  });

  describe("query", () => {
    beforeEach(() => exporter.reset());

    it("produces the span tree request → retrieval stages → store call and embedding; answer → chat call", async () => {
      const response = await app.request("/v1/query", jsonRequest("POST", { question: "Which volcano is on the east coast of Sicily?" }));
      expect(response.status).toBe(200);
      const body = (await response.json()) as { answer: string };
      expect(body.answer).toContain("Etna");

      const traceId = response.headers.get("x-trace-id")!;
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      const spans = exporter.getFinishedSpans();
      const trace = traceOf(spans, traceId);
      expect(trace.own.length).toBe(spans.length);

      const request = trace.named("POST /v1/query");
      expect(parentOf(request)).toBeUndefined();
      expect(request.attributes).toMatchObject({
        "http.request.method": "POST",
        "http.route": "/v1/query",
        "http.response.status_code": 200,
        "ragline.tenant": "default",
      });
      expect(response.headers.get("traceparent")).toBe(`00-${traceId}-${request.spanContext().spanId}-01`);

      const retrieval = trace.named("retrieval");
      expect(trace.isDescendant(retrieval, request)).toBe(true);
      expect(trace.childrenOf(retrieval)).toEqual(["retrieval.embed_query", "retrieval.candidates", "retrieval.fuse_and_threshold"]);
      expect(trace.childrenOf(trace.named("retrieval.embed_query"))).toEqual(["embeddings openai:stand-in-embed:d64"]);
      expect(trace.childrenOf(trace.named("retrieval.candidates"))).toEqual(["vector_store.candidates"]);
      expect(trace.named("vector_store.candidates").attributes).toMatchObject({ "db.system.name": "lancedb", "ragline.tenant": "default" });
      expect(trace.named("retrieval.fuse_and_threshold").attributes["ragline.hits"]).toBeGreaterThan(0);

      const answer = trace.named("answer");
      expect(parentOf(answer)).toBe(parentOf(retrieval));
      expect(trace.isDescendant(answer, request)).toBe(true);
      expect(answer.attributes).toMatchObject({
        "ragline.answer.model": "stand-in-main",
        "ragline.answer.outcome": "answered",
        "ragline.answer.cached": false,
      });
      expect(trace.childrenOf(answer)).toEqual(["chat stand-in-main"]);
      const chat = trace.named("chat stand-in-main");
      expect(chat.attributes).toMatchObject({
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "stand-in-main",
        "gen_ai.usage.input_tokens": 120,
        "gen_ai.usage.output_tokens": 20,
        "ragline.outcome": "ok",
      });
      expect(chat.endTime[0] * 1e9 + chat.endTime[1]).toBeLessThanOrEqual(request.endTime[0] * 1e9 + request.endTime[1]);
    });

    it("a streamed answer: the chat stream's span joins the request's trace and ends with the stream, tokens included", async () => {
      const response = await app.request("/v1/query", jsonRequest("POST", { question: "Where on Sicily is Mount Etna?", stream: true }));
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("Etna");
      const trace = traceOf(exporter.getFinishedSpans(), response.headers.get("x-trace-id")!);
      const chat = trace.named("chat stand-in-main");
      expect(parentOf(chat)).toBe(trace.named("answer").spanContext().spanId);
      expect(trace.isDescendant(chat, trace.named("POST /v1/query"))).toBe(true);
      expect(chat.attributes).toMatchObject({ "ragline.chat.stream": true, "gen_ai.usage.output_tokens": 20, "ragline.outcome": "ok" });
    });

    it("puts the response's trace id in every log line of the request", async () => {
      const before = logs.lines.length;
      // An off-topic filter that matches nothing: the request still logs (its access line at least).
      const response = await app.request("/v1/query", jsonRequest("POST", { question: "How is sourdough bread leavened?" }));
      expect(response.status).toBe(200);
      const requestId = response.headers.get("x-request-id");
      const lines = logs.lines.slice(before).filter((line) => line.fields.requestId === requestId);
      expect(lines.map((line) => line.message)).toContain("request");
      for (const line of lines) expect(line.fields.traceId, line.message).toBe(response.headers.get("x-trace-id"));
    });

    it("joins the caller's trace when the request carries a traceparent", async () => {
      const callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
      const callerSpan = "00f067aa0ba902b7";
      const response = await app.request(
        "/v1/query",
        jsonRequest(
          "POST",
          { question: "Which volcano is on the east coast of Sicily?", mode: "retrieve" },
          { traceparent: `00-${callerTrace}-${callerSpan}-01` },
        ),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("x-trace-id")).toBe(callerTrace);
      const request = traceOf(exporter.getFinishedSpans(), callerTrace).named("POST /v1/query");
      expect(parentOf(request)).toBe(callerSpan);
      expect(request.parentSpanContext?.isRemote).toBe(true);
    });

    it("starts a new trace when the incoming traceparent is malformed", async () => {
      const response = await app.request("/v1/query", jsonRequest("POST", { question: "sourdough", mode: "retrieve" }, { traceparent: "00-not-a-trace-01" }));
      expect(response.status).toBe(200);
      const traceId = response.headers.get("x-trace-id")!;
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(parentOf(traceOf(exporter.getFinishedSpans(), traceId).named("POST /v1/query"))).toBeUndefined();
    });

    it("leaves probes and scrapes untraced", async () => {
      for (const path of ["/healthz", "/readyz", "/metrics"]) {
        const response = await app.request(path);
        expect(response.status, path).toBe(200);
        expect(response.headers.get("x-trace-id"), path).toBeNull();
      }
      expect(exporter.getFinishedSpans()).toEqual([]);
    });

    it("marks a request span with its route template, status and no tenant on a 400", async () => {
      const response = await app.request("/v1/query", jsonRequest("POST", { question: "" }));
      expect(response.status).toBe(400);
      const request = traceOf(exporter.getFinishedSpans(), response.headers.get("x-trace-id")!).named("POST /v1/query");
      expect(request.attributes["http.response.status_code"]).toBe(400);
      expect(exporter.getFinishedSpans().some((span) => span.name === "retrieval")).toBe(false);
    });
  });
});
