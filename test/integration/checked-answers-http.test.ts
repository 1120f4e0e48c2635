import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MemoryKeyValue } from "../../src/adapters/key-value/memory/memory-key-value.js";
import type { Runtime } from "../../src/compose/compose-runtime.js";
import { createModelLayer } from "../../src/compose/create-model-layer.js";
import { createApp } from "../../src/http/create-app.js";
import { Metrics } from "../../src/observability/metrics.js";
import type { AnswerExample, AnswerExampleSource } from "../../src/ports/answer-examples.js";
import type { ModelCall } from "../../src/observability/model-usage-recorder.js";
import { capturingLogger, modelConfig, startStandInRuntime } from "../helpers/model-layer-fixtures.js";
import { startOpenAiStandIn, type OpenAiStandIn, type RecordedRequest } from "../helpers/openai-stand-in-server.js";
import { jsonRequest } from "../helpers/test-runtime.js";
import { indexDocuments, readSse } from "../helpers/query-http.js";

/**
 * Checked answers through POST /v1/query, against the loopback OpenAI-compatible stand-in server
 * (no real model can run here): the grounding judge (local and model), semantic retries, the answer
 * deadline, few-shot examples and the streamed `review` event.
 */
const DOCUMENTS: Record<string, string> = {
  volcanoes: "Mount Etna is an active stratovolcano on the east coast of Sicily. It erupts frequently and its lava flows have reached nearby towns.",
  bread: "Sourdough bread is leavened with a culture of wild yeast and lactic acid bacteria. The starter is fed with flour and water every day.",
};

type Overrides = Parameters<typeof modelConfig>[1];

const answerJson = (answer: string) => JSON.stringify({ answer, citations: [1], context_sufficient: true });
const UNSUPPORTED_ANSWER = "Mount Etna is an active stratovolcano on the east coast of Sicily [1]. It last erupted in 1669 and destroyed Catania [1].";
const lastUser = (request: RecordedRequest) => request.body.messages!.filter((message) => message.role === "user").at(-1)!.content;
const system = (request: RecordedRequest) => request.body.messages![0]!.content;

describe("checked answers over HTTP (OpenAI-compatible stand-in server)", () => {
  let standIn: OpenAiStandIn;
  let service: Awaited<ReturnType<typeof startStandInRuntime>>;
  let runtime: Runtime;
  let dataDir: string;

  beforeAll(async () => {
    standIn = await startOpenAiStandIn();
    service = await startStandInRuntime(standIn.baseUrl);
    ({ runtime, dataDir } = service);
    const documentsApp = createApp(runtime.deps);
    await indexDocuments(documentsApp, DOCUMENTS);
  });
  afterAll(async () => {
    await service?.close();
    await standIn.close();
  });
  afterEach(() => {
    standIn.requests.length = 0;
  });

  /** An app whose model layer (answerer, judge, caches) is built from these overrides: each test gets fresh caches. */
  function appWith(overrides: Overrides, extra: { answerExamples?: AnswerExampleSource } = {}) {
    const config = modelConfig(standIn.baseUrl, { server: { dataDir }, retrieval: { minScore: 0.1 }, ...overrides });
    const logs = capturingLogger();
    // The hook compose-runtime uses to take every call from the tenant's token budget and write the usage ledger.
    const calls: ModelCall[] = [];
    const onModelCall = (call: ModelCall) => calls.push(call);
    const layer = createModelLayer(
      config,
      { metrics: new Metrics(), logger: logs.logger, keyValue: new MemoryKeyValue({ maxEntries: 100 }), onModelCall },
      { initialRetryDelayMs: 10 },
    );
    const app = createApp({ ...runtime.deps, config, answerer: layer.answerer, judge: layer.judge, ...extra });
    const query = async (body: Record<string, unknown>) => {
      standIn.requests.length = 0;
      return app.request("/v1/query", jsonRequest("POST", body));
    };
    return { query, logs, calls };
  }
  const chat = () => standIn.chatRequests();

  it("flags an answer the model judge finds unsupported, after one refined retry stating the unsupported sentence; judge calls on the small model, metered", async () => {
    const { query, logs, calls } = appWith({ answer: { smallModel: "stand-in-small", judge: { mode: "model" } } as never });
    const first = answerJson("Mount Etna is a volcano in Sicily [1].");
    standIn.scriptChat(
      { kind: "content", content: first },
      { kind: "verdict", support: "unsupported" },
      { kind: "ok" },
      { kind: "verdict", support: "unsupported" },
    );
    const response = await query({ question: "Where is Mount Etna?" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, any>;
    expect(body).toMatchObject({ answer_status: "answered", judge_version: "judge.v1", review: { needed: true, score: 0 }, examples: [] });
    // The retried answer is returned, flagged: its own sentence is the reason.
    expect(body.review.reasons).toEqual([expect.stringContaining('unsupported: "Mount Etna is an active stratovolcano on the east coast of Sicily. [1]"')]);
    expect(chat().map((request) => request.body.model)).toEqual(["stand-in-main", "stand-in-small", "stand-in-main", "stand-in-small"]);
    const retry = chat()[2]!;
    expect(lastUser(retry)).toContain('unsupported: "Mount Etna is a volcano in Sicily [1]." (not stated in the cited passage)');
    expect(system(retry)).toBe(system(chat()[0]!));
    expect(logs.text()).toContain('"task":"judge"');
    expect(calls.map((call) => [call.task, call.attempt, call.tenant])).toEqual([
      ["answer", "initial", "default"],
      ["judge", "initial", "default"],
      ["answer", "refined", "default"],
      ["judge", "initial", "default"],
    ]);
    expect(logs.text()).toContain('"attempt":"refined"');
    // Judge tokens count in the answer's usage: 4 calls of 120 input tokens each.
    expect(body.usage.input_tokens).toBe(480);
  });

  it("repairs a malformed verdict, and degrades (unflagged, saying so, no retry) when the judge never validates", async () => {
    const { query } = appWith({ answer: { judge: { mode: "model" } } as never });
    standIn.scriptChat({ kind: "ok" }, { kind: "invalid-json" }, { kind: "ok" });
    const repaired = (await (await query({ question: "Where is Mount Etna?" })).json()) as Record<string, any>;
    expect(repaired.review).toEqual({ needed: false, score: 1, reasons: [] });
    expect(chat()).toHaveLength(3);
    expect(lastUser(chat()[2]!)).toContain("Validation errors");
    expect(chat()[2]!.body.messages!.some((message) => message.role === "assistant")).toBe(true);

    standIn.scriptChat({ kind: "ok" }, { kind: "invalid-json" }, { kind: "invalid-json" }, { kind: "schema-invalid" });
    const degraded = (await (await query({ question: "How is sourdough bread leavened?" })).json()) as Record<string, any>;
    expect(degraded).toMatchObject({ answer_status: "answered", degraded: false, judge_version: "judge.v1", review: { needed: false, score: 0 } });
    expect(degraded.review.reasons[0]).toContain("gave no verdict");
    expect(chat()).toHaveLength(4);
  });

  it("retries once when the local judge finds a changed fact; the retry's prompt names the unsupported sentence and the better answer is returned", async () => {
    const { query } = appWith({ answer: { judge: { mode: "local" } } as never });
    standIn.scriptChat({ kind: "content", content: answerJson(UNSUPPORTED_ANSWER) });
    const body = (await (await query({ question: "Where is Mount Etna?" })).json()) as Record<string, any>;
    expect(chat()).toHaveLength(2);
    expect(lastUser(chat()[1]!)).toContain("It last erupted in 1669 and destroyed Catania [1].");
    expect(lastUser(chat()[1]!)).toContain("1669 not in [1]");
    expect(body).toMatchObject({ judge_version: "local-support.v1", review: { needed: false, score: 1, reasons: [] } });
    expect(body.answer).not.toContain("1669");
  });

  it("makes at most 4 generation calls: repair, refined retry, then the fallback model; a still-unsupported answer is returned flagged", async () => {
    const { query } = appWith({ answer: { fallbackModel: "stand-in-fallback", judge: { mode: "local" } } as never });
    standIn.scriptChat(
      { kind: "schema-invalid" },
      { kind: "invalid-json" },
      { kind: "schema-invalid" },
      { kind: "content", content: answerJson(UNSUPPORTED_ANSWER) },
    );
    const body = (await (await query({ question: "Where is Mount Etna?" })).json()) as Record<string, any>;
    expect(chat().map((request) => request.body.model)).toEqual(["stand-in-main", "stand-in-main", "stand-in-main", "stand-in-fallback"]);
    expect(lastUser(chat()[2]!)).toContain("Your previous reply was rejected");
    expect(body).toMatchObject({ answer_status: "answered", model: "stand-in-fallback", review: { needed: true, score: 0.5 } });
    expect(body.review.reasons).toEqual([expect.stringContaining("It last erupted in 1669")]);
  });

  it("past answer.deadlineMs answers degraded with 200, never a 500", async () => {
    const { query } = appWith({ answer: { deadlineMs: 300, judge: { mode: "local" } } as never, openai: { timeoutMs: 5_000 } });
    standIn.scriptChat({ kind: "hang" });
    const started = Date.now();
    const response = await query({ question: "Where is Mount Etna?" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ answer_status: "degraded", degraded: true, answer: null, review: null });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("streams the verdict as a review event after done, and never retries a streamed answer", async () => {
    const { query } = appWith({ answer: { judge: { mode: "local" } } as never });
    standIn.scriptChat({ kind: "content", content: "Mount Etna is on the east coast of Sicily [1]. It last erupted in 1669 [1]." });
    const events = await readSse(await query({ question: "Where is Mount Etna?", stream: true }));
    expect(events.map((event) => event.event).slice(-4)).toEqual(["citations", "usage", "done", "review"]);
    expect(events.at(-2)!.data).toMatchObject({ judge_version: "local-support.v1", examples: [] });
    expect(events.at(-1)!.data).toMatchObject({ needed: true, score: 0.5, judge_version: "local-support.v1" });
    expect(chat()).toHaveLength(1);
  });

  it("judges the extractive answerer's quotes locally (supported) without calling any model", async () => {
    const { query } = appWith({ answer: { provider: "extractive", judge: { mode: "local" } } as never });
    const body = (await (await query({ question: "How is sourdough bread leavened?" })).json()) as Record<string, any>;
    expect(body).toMatchObject({ model: "local-extractive", judge_version: "local-support.v1", review: { needed: false, score: 1, reasons: [] } });
    expect(chat()).toHaveLength(0);
  });

  describe("reviewed examples in the prompt", () => {
    const examples: AnswerExample[] = [
      { id: "fb-2", question: "Where is Vesuvius?", answer: "Vesuvius is near Naples [1].", similarity: 0.82 },
      { id: "fb-1", question: "Where is Stromboli?", answer: "Stromboli is an island north of Sicily [1].", similarity: 0.91 },
    ];
    const source = (found: () => AnswerExample[], asked: Array<{ tenant: string; question: string }> = []): AnswerExampleSource => ({
      find: async ({ tenant, question }) => {
        asked.push({ tenant, question });
        return found();
      },
    });

    it("go after the static prefix (system text byte-identical, the rest of the prompt unchanged), most similar first, listed in `examples`", async () => {
      const asked: Array<{ tenant: string; question: string }> = [];
      const withExamples = appWith({}, { answerExamples: source(() => examples, asked) });
      const body = (await (await withExamples.query({ question: "Where is Mount Etna?" })).json()) as Record<string, any>;
      const [shown] = chat();
      expect(body.examples).toEqual(["fb-1", "fb-2"]);
      expect(asked).toEqual([{ tenant: "default", question: "Where is Mount Etna?" }]);

      const without = appWith({});
      await without.query({ question: "Where is Mount Etna?" });
      const [plain] = chat();
      expect(system(shown!)).toBe(system(plain!));
      const user = lastUser(shown!);
      expect(user.endsWith(lastUser(plain!))).toBe(true);
      expect(user.indexOf('<example id="fb-1">')).toBeLessThan(user.indexOf('<example id="fb-2">'));
      expect(user.indexOf("</examples>")).toBeLessThan(user.indexOf("<documents>"));
    });

    it("drop the least similar past answer.examples.maxTokens, and are part of the answer cache key", async () => {
      let found = examples;
      const { query } = appWith({ answer: { examples: { maxTokens: 60 } } as never }, { answerExamples: source(() => found) });
      const first = (await (await query({ question: "Where is Mount Etna?" })).json()) as Record<string, any>;
      expect(first).toMatchObject({ cached: false, examples: ["fb-1"] });
      expect(lastUser(chat()[0]!)).not.toContain("Vesuvius");

      expect(await (await query({ question: "Where is Mount Etna?" })).json()).toMatchObject({ cached: true, examples: ["fb-1"] });
      expect(chat()).toHaveLength(0);

      found = [{ ...examples[1]!, id: "fb-3" }];
      expect(await (await query({ question: "Where is Mount Etna?" })).json()).toMatchObject({ cached: false, examples: ["fb-3"] });
      expect(chat()).toHaveLength(1);
    });

    it("are not asked for when answer.examples.enabled is false", async () => {
      const asked: Array<{ tenant: string; question: string }> = [];
      const { query } = appWith({ answer: { examples: { enabled: false } } as never }, { answerExamples: source(() => examples, asked) });
      expect(await (await query({ question: "Where is Mount Etna?" })).json()).toMatchObject({ examples: [] });
      expect(asked).toHaveLength(0);
      expect(lastUser(chat()[0]!)).not.toContain("<examples>");
    });
  });
});
