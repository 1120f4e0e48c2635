import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MemoryKeyValue } from "../../src/adapters/key-value/memory/memory-key-value.js";
import { composeRuntime, type Runtime } from "../../src/compose/compose-runtime.js";
import type { Answerer } from "../../src/ports/answerer.js";
import { UpstreamUnavailableError } from "../../src/core/errors.js";
import { createApp, type AppDeps } from "../../src/http/create-app.js";
import { Metrics } from "../../src/observability/metrics.js";
import { createModelLayer, type ModelLayer } from "../../src/compose/create-model-layer.js";
import type { VectorStore } from "../../src/ports/vector-store.js";
import { SECRET_API_KEY, capturingLogger, modelConfig } from "../helpers/model-layer-fixtures.js";
import { startOpenAiStandIn, type OpenAiStandIn } from "../helpers/openai-stand-in-server.js";
import { jsonRequest } from "../helpers/test-runtime.js";
import { indexDocuments, readSse } from "../helpers/query-http.js";

/** The real createApp with the model answerer wired in and the store under test. */
function createModelApp(deps: AppDeps, answerer: Answerer, store: VectorStore) {
  return createApp({ ...deps, answerer, store });
}

const DOCUMENTS: Record<string, string> = {
  volcanoes: "Mount Etna is an active stratovolcano on the east coast of Sicily. It erupts frequently and its lava flows have reached nearby towns.",
  bread: "Sourdough bread is leavened with a culture of wild yeast and lactic acid bacteria. The starter is fed with flour and water every day.",
};

describe("POST /v1/query with the model layer (OpenAI-compatible stand-in server)", () => {
  let standIn: OpenAiStandIn;
  let runtime: Runtime;
  let layer: ModelLayer;
  let dataDir: string;
  let app: ReturnType<typeof createModelApp>;
  let logs: ReturnType<typeof capturingLogger>;

  beforeAll(async () => {
    standIn = await startOpenAiStandIn();
    dataDir = await mkdtemp(join(tmpdir(), "ragline-model-test-"));
    const config = modelConfig(standIn.baseUrl, { server: { dataDir }, retrieval: { minScore: 0.1 }, openai: { breakerThreshold: 50 } });
    const metrics = new Metrics();
    logs = capturingLogger();
    layer = createModelLayer(config, { metrics, logger: logs.logger, keyValue: new MemoryKeyValue({ maxEntries: 1000 }) }, { initialRetryDelayMs: 10 });
    runtime = await composeRuntime({ config, retrievalSettings: { current: () => config.retrieval }, logger: logs.logger, embedder: layer.embedder!, metrics });
    await runtime.startWorkers();
    const documentsApp = createApp(runtime.deps);
    await indexDocuments(documentsApp, DOCUMENTS);
    app = createModelApp(runtime.deps, layer.answerer, layer.wrapStore(runtime.deps.store));
  });
  afterAll(async () => {
    await runtime.close();
    await standIn.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  afterEach(() => {
    standIn.requests.length = 0;
    standIn.defaultChat = { kind: "ok" };
  });

  const query = (body: Record<string, unknown>, target = app) => target.request("/v1/query", jsonRequest("POST", body));

  it("answers with the model: citations, usage with cost and model, prompt_version; the repeat is served from the answer cache", async () => {
    const response = await query({ question: "Where is Mount Etna?" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-retrieval-status")).toBe("ok");
    const body = (await response.json()) as Record<string, any>;
    expect(body).toMatchObject({ prompt_version: "answer.v1", model: "stand-in-main", cached: false, degraded: false, retrieval: { status: "ok" } });
    expect(body.answer).toContain("Sicily");
    expect(body.citations[0]).toMatchObject({ n: 1, document_id: "volcanoes" });
    expect(body.usage).toMatchObject({ input_tokens: 120, output_tokens: 20, cached_tokens: 64, model: "stand-in-main", prompt_version: "answer.v1" });
    expect(body.usage.cost_usd).toBeGreaterThan(0);
    expect(standIn.embeddingRequests().length).toBeGreaterThan(0);

    const again = (await (await query({ question: "where is mount etna" })).json()) as Record<string, any>;
    expect(again).toMatchObject({ cached: true, answer: body.answer, usage: { input_tokens: 0, cost_usd: 0 } });
    expect(standIn.chatRequests()).toHaveLength(1);
  });

  it("streams Server-Sent Events: retrieval, delta…, citations, usage, done", async () => {
    const response = await query({ question: "How is sourdough bread leavened?", stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(response.headers.get("x-retrieval-status")).toBe("ok");
    const events = await readSse(response);
    const names = events.map((event) => event.event);
    expect(names[0]).toBe("retrieval");
    expect(names.slice(-3)).toEqual(["citations", "usage", "done"]);
    const deltas = events.filter((event) => event.event === "delta").map((event) => event.data.text as string);
    expect(deltas.length).toBeGreaterThan(1);
    const done = events.at(-1)!.data;
    expect(done).toMatchObject({ answer: deltas.join(""), prompt_version: "answer.v1", degraded: false, cached: false });
    expect((events[0]!.data.hits as Array<{ document_id: string }>)[0]!.document_id).toBe("bread");
    expect(events.find((event) => event.event === "citations")!.data.citations).toMatchObject([{ n: 1, document_id: "bread" }]);
    expect(events.find((event) => event.event === "usage")!.data).toMatchObject({ input_tokens: 120, model: "stand-in-main" });
  });

  it("ends a stream cut midway with an error event, not a dropped connection", async () => {
    standIn.scriptChat({ kind: "cut-stream", afterDeltas: 2 });
    const response = await query({ question: "What happens to nearby towns near Etna?", stream: true });
    const events = await readSse(response);
    expect(events.filter((event) => event.event === "delta")).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ event: "error", data: { error: { code: "upstream_error", status: 502 } } });
    expect(events.some((event) => event.event === "done")).toBe(false);
  });

  it("falls back to the non-retrieval prompt when the store is down: unavailable, degraded, header, /readyz down", async () => {
    const failing: VectorStore = {
      ...runtime.deps.store,
      kind: "failing-stand-in",
      candidates: async () => {
        throw new UpstreamUnavailableError("connection refused");
      },
      health: async () => ({ status: "down", detail: "stand-in is down" }),
      close: async () => {},
    };
    const downApp = createModelApp(runtime.deps, layer.answerer, failing);
    const response = await query({ question: "Where is Mount Etna?" }, downApp);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-retrieval-status")).toBe("unavailable");
    const body = (await response.json()) as Record<string, any>;
    expect(body).toMatchObject({ degraded: true, prompt_version: "fallback.v1", retrieval: { status: "unavailable", hits: [] }, citations: [] });
    expect(body.answer).toMatch(/could not be consulted/);
    expect(standIn.chatRequests()[0]!.body.messages![0]!.content).toContain("documents cannot be searched");
    expect(((await (await downApp.request("/readyz")).json()) as Record<string, any>).dependencies.vector_store.status).toBe("down");

    const streamed = await readSse(await query({ question: "Where is Mount Etna?", stream: true }, downApp));
    expect(streamed[0]).toMatchObject({ event: "retrieval", data: { status: "unavailable" } });
    expect(streamed.at(-1)).toMatchObject({ event: "done", data: { degraded: true, prompt_version: "fallback.v1" } });
  });

  it("with nothing relevant refuses without calling the model (onNoContext refuse), or asks the fallback prompt, degraded (fallback)", async () => {
    const irrelevant = { question: "What is the airspeed velocity of an unladen swallow?", min_score: 0.99 };
    const refused = await query(irrelevant);
    expect(refused.headers.get("x-retrieval-status")).toBe("empty");
    expect(await refused.json()).toMatchObject({
      answer: "I could not find this in the documents.",
      degraded: false,
      prompt_version: "answer.v1",
      model: null,
      citations: [],
      usage: { input_tokens: 0 },
    });
    expect(standIn.chatRequests()).toHaveLength(0);

    const settings = runtime.deps.retrievalSettings.current();
    const fallbackApp = createApp({
      ...runtime.deps,
      answerer: layer.answerer,
      retrievalSettings: { current: () => ({ ...settings, onNoContext: "fallback" }) },
    });
    const body = (await (await query(irrelevant, fallbackApp)).json()) as Record<string, any>;
    expect(body).toMatchObject({ degraded: true, prompt_version: "fallback.v1", retrieval: { status: "empty" }, citations: [] });
    expect(body.answer).toMatch(/could not be consulted/);
    expect(standIn.chatRequests()[0]!.body.messages![1]!.content).toContain("<situation>No passage of the documents was relevant enough");
  });

  it("treats a hanging store as unavailable after store.timeoutMs", async () => {
    // The runtime's store is a wrapPort proxy: its methods are not own properties, so the stand-in names the ones it keeps.
    const hanging: VectorStore = {
      ...runtime.deps.store,
      kind: "hanging-stand-in",
      candidates: () => new Promise(() => {}),
      health: runtime.deps.store.health,
      close: async () => {},
    };
    const config = modelConfig(standIn.baseUrl, { server: { dataDir } });
    const shortLayer = createModelLayer(
      { ...config, store: { ...config.store, timeoutMs: 100 } },
      { metrics: new Metrics(), logger: logs.logger, keyValue: new MemoryKeyValue({ maxEntries: 10 }) },
      { storeMaxAttempts: 1 },
    );
    const hangingApp = createModelApp(runtime.deps, layer.answerer, shortLayer.wrapStore(hanging));
    const started = Date.now();
    const response = await query({ question: "Where is Mount Etna?" }, hangingApp);
    expect(response.headers.get("x-retrieval-status")).toBe("unavailable");
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("maps model failures to 502/503 (with Retry-After) — never 500 — and keeps the key out of responses and logs", async () => {
    standIn.defaultChat = { kind: "status", status: 500, message: `upstream exploded; key ${SECRET_API_KEY}` };
    const failed = await query({ question: "Where is Mount Etna, on which coast?" });
    expect(failed.status).toBe(502);
    const failedText = await failed.text();
    expect(failedText).toContain("upstream_error");
    standIn.defaultChat = { kind: "status", status: 429, retryAfter: "120" };
    const limited = await query({ question: "Where is the active Mount Etna?" });
    expect(limited.status).toBe(503);
    expect(limited.headers.get("retry-after")).toBe("120");
    const everything = `${failedText} ${await limited.text()} ${logs.text()}`;
    expect(everything).not.toContain(SECRET_API_KEY);
    expect(everything).not.toContain("upstream exploded");
  });

  it("exposes token, cost, error, latency and breaker metrics", async () => {
    await query({ question: "Is sourdough fed every day?" });
    const metrics = await runtime.deps.metrics.registry.metrics();
    for (const name of [
      "ragline_llm_tokens_total",
      "ragline_llm_cost_usd_total",
      "ragline_model_errors_total",
      "ragline_llm_request_duration_seconds_bucket",
      "ragline_circuit_breaker_state",
      "ragline_answers_total",
    ]) {
      expect(metrics).toContain(name);
    }
    expect(metrics).toMatch(/ragline_llm_cost_usd_total\{[^}]*model="stand-in-main"[^}]*prompt_version="answer.v1"[^}]*\} [0-9.e-]+/);
    // Embedding calls (ingest and query) are attributed to the tenant that made them.
    expect(metrics).toMatch(/ragline_llm_tokens_total\{[^}]*task="embedding"[^}]*tenant="default"[^}]*\} [1-9]/);
  });
});
