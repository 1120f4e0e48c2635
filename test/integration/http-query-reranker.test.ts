import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RetrievalSettings } from "../../src/config/schema.js";
import { OPENAPI_DOCUMENT_PATH } from "../../src/http/openapi-document.js";
import { startRerankStandIn, type RerankStandIn } from "../helpers/rerank-stand-in-server.js";
import { jsonRequest, startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

const KEY = "rk-stand-in-SECRET-rerank-key-0123";

interface Hit {
  document_id: string;
  chunk_id: string;
  score: number;
  scores: { fused: number; relevance: number; rerank?: number };
}
interface QueryBody {
  answer_status: string;
  degraded: boolean;
  retrieval: {
    status: string;
    hits: Hit[];
    cut?: Hit[];
    thresholds: { min_score: number; min_score_applies_to: string };
    rerank?: { status: string; model: string; candidates: number; min_score: number; reason?: string };
    explain?: {
      fused: Array<{ document_id: string; kept: boolean; reason: string | null }>;
      reranked?: Array<{ document_id: string; rerank: number; fused_rank: number; kept: boolean; reason: string | null }>;
    };
  };
}

const DOCUMENTS: Record<string, string> = {
  kiwi: "The kiwi is a flightless bird of New Zealand; kiwi birds cannot fly at all.",
  penguin: "Penguins are birds that cannot fly in the air, but they swim well.",
  ostrich: "The ostrich is the largest bird and it cannot fly, though it runs fast.",
  emu: "Emus are large birds of Australia. Like other ratites, emus cannot fly.",
  bread: "Sourdough bread is leavened with wild yeast and lactic acid bacteria.",
};
const QUESTION = "Which birds cannot fly?";

describe("POST /v1/query with a reranker (the /rerank stand-in server)", () => {
  let standIn: RerankStandIn;
  let test: TestRuntime;
  let retrieval: RetrievalSettings;
  let server: ServerType;
  let port: number;

  const withReranker = (overrides: Partial<RetrievalSettings["reranker"]> = {}) => {
    retrieval = { ...test.config.retrieval, reranker: { ...test.config.retrieval.reranker, ...overrides } };
  };
  const withoutReranker = () => withReranker({ provider: "none" });
  const query = async (body: Record<string, unknown>) => {
    const response = await test.app.request("/v1/query", jsonRequest("POST", body));
    const text = await response.text();
    expect(text).not.toContain(KEY);
    return { status: response.status, body: JSON.parse(text) as QueryBody };
  };
  /** Stand-in scores by which document a text is: `scores[id]`, 0 for others. */
  const scoreByDocument = (scores: Record<string, number>) => (_query: string, document: string) => {
    const id = Object.keys(DOCUMENTS).find((key) => document.endsWith(DOCUMENTS[key]!));
    return id === undefined ? 0 : (scores[id] ?? 0);
  };

  beforeAll(async () => {
    standIn = await startRerankStandIn({ path: "/v1" });
    test = await startTestRuntime(
      {
        retrieval: {
          maxTopK: 10,
          reranker: { provider: "openai", baseUrl: standIn.baseUrl, apiKey: KEY, model: "stand-in-rerank", minScore: 0.5, timeoutMs: 1_000, maxAttempts: 1 },
        },
        openai: { breakerThreshold: 100 },
      },
      { retrievalSettings: { current: () => retrieval } },
    );
    retrieval = test.config.retrieval;
    for (const [id, text] of Object.entries(DOCUMENTS)) await test.app.request(`/v1/documents/${id}`, jsonRequest("PUT", { text, title: `About ${id}` }));
    for (const id of Object.keys(DOCUMENTS)) {
      await waitFor(async () => ((await (await test.app.request(`/v1/documents/${id}`)).json()) as { status: string }).status === "indexed", `${id} indexed`);
    }
    port = await new Promise<number>((resolve) => {
      server = serve({ fetch: test.app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => resolve(info.port));
    });
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await test.close();
    await standIn.close();
  });
  beforeEach(() => {
    standIn.requests.length = 0;
    standIn.defaultBehaviour = { kind: "ok" };
    standIn.scoreOf = null;
    withReranker();
  });

  it("reorders the hits by the reranker's score over a real socket, thresholds on it, and explains each stage", async () => {
    withoutReranker();
    const fused = (await query({ question: QUESTION, mode: "retrieve", min_score: 0, top_k: 10 })).body.retrieval;
    const fusedOrder = fused.hits.map((hit) => hit.document_id);
    expect(fused.rerank).toBeUndefined();
    expect(fusedOrder.length).toBeGreaterThanOrEqual(4);
    expect(standIn.requests).toHaveLength(0);

    // The reranker reverses the fused order of the birds and scores the best fused one below minScore.
    const birds = fusedOrder.filter((id) => id !== "bread");
    const scores: Record<string, number> = { [birds[0]!]: 0.2 };
    birds.slice(1).forEach((id, index) => (scores[id] = 0.6 + 0.1 * index));
    standIn.scoreOf = scoreByDocument(scores);
    withReranker();

    const response = await fetch(`http://127.0.0.1:${port}/v1/query`, jsonRequest("POST", { question: QUESTION, mode: "retrieve", explain: true, top_k: 10 }));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(KEY);
    const body = JSON.parse(text) as QueryBody;
    const expectedOrder = birds.slice(1).reverse();
    expect(body.retrieval.hits.map((hit) => hit.document_id)).toEqual(expectedOrder);
    expect(body.retrieval.hits.map((hit) => hit.scores.rerank)).toEqual(expectedOrder.map((id) => scores[id]));
    expect(body.retrieval.hits.map((hit) => hit.score)).toEqual(expectedOrder.map((id) => scores[id]));
    expect(body.retrieval.thresholds).toMatchObject({ min_score: 0.5, min_score_applies_to: "scores.rerank" });
    expect(body.retrieval.rerank).toEqual({ status: "ok", model: "openai:stand-in-rerank", candidates: fusedOrder.length, min_score: 0.5 });
    expect(body.retrieval.cut!.map((hit) => hit.document_id)).toEqual([birds[0], ...(fusedOrder.includes("bread") ? ["bread"] : [])]);
    const reranked = body.retrieval.explain!.reranked!;
    expect(reranked.map((entry) => entry.document_id)).toEqual([...expectedOrder, ...body.retrieval.cut!.map((hit) => hit.document_id)]);
    expect(reranked.find((entry) => entry.document_id === birds[0])).toEqual({
      chunk_id: expect.any(String),
      document_id: birds[0],
      rerank: 0.2,
      fused_rank: fusedOrder.indexOf(birds[0]!) + 1,
      kept: false,
      reason: "below_min_score",
    });
    expect(body.retrieval.explain!.fused.map((entry) => entry.document_id)).toEqual(fusedOrder);

    // What the reranker was sent: the question, and each candidate's title over its text, in fused order, with the key.
    expect(standIn.requests).toHaveLength(1);
    expect(standIn.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(standIn.requests[0]!.body).toMatchObject({ model: "stand-in-rerank", query: QUESTION, return_documents: false });
    expect(standIn.requests[0]!.body.documents).toEqual(fusedOrder.map((id) => `About ${id}\n\n${DOCUMENTS[id]}`));
    await expectMatchesOpenApi(test, body);
  });

  it("serves a repeated question from the rerank cache and accounts each call in the metrics", async () => {
    const question = "Do emus fly?";
    const first = (await query({ question, mode: "retrieve", top_k: 10 })).body;
    const second = (await query({ question, mode: "retrieve", top_k: 10 })).body;
    expect(second.retrieval.hits).toEqual(first.retrieval.hits);
    expect(first.retrieval.rerank!.status).toBe("ok");
    expect(standIn.requests).toHaveLength(1);
    const metrics = await (await test.app.request("/metrics")).text();
    const candidates = first.retrieval.rerank!.candidates;
    expect(metrics).toMatch(new RegExp(`ragline_rerank_cache_total\\{result="hit"\\} (\\d+)`));
    expect(Number(/ragline_rerank_cache_total\{result="hit"\} (\d+)/.exec(metrics)![1])).toBeGreaterThanOrEqual(candidates);
    expect(metrics).toMatch(/ragline_llm_request_duration_seconds_count\{[^}]*model="stand-in-rerank"[^}]*task="rerank"[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/ragline_llm_tokens_total\{[^}]*model="stand-in-rerank"[^}]*task="rerank"[^}]*kind="input"[^}]*\} [1-9]/);
  });

  it.each([
    ["answers 500", { kind: "status", status: 500 } as const, "Are penguins birds?", "the reranker failed (HTTP 500)"],
    ["is slower than its timeout", { kind: "hang" } as const, "Can an ostrich fly?", "reranker did not answer within 1000 ms"],
    ["answers malformed JSON", { kind: "invalid-json" } as const, "Is the kiwi a bird?", "the reranker returned a reply that is not JSON"],
    ["answers too few scores", { kind: "wrong-length" } as const, "Which bird is the largest?", "the reranker returned"],
  ])("keeps the fused order and says so when the reranker %s (never a 500)", async (_name, behaviour, question, reason) => {
    withoutReranker();
    const fused = (await query({ question, mode: "retrieve", top_k: 10 })).body.retrieval;
    withReranker();
    standIn.defaultBehaviour = behaviour;
    const { status, body } = await query({ question, mode: "retrieve", explain: true, top_k: 10 });
    expect(status).toBe(200);
    expect(standIn.requests.length).toBeGreaterThan(0);
    expect(body.retrieval.hits).toEqual(fused.hits);
    expect(body.retrieval.rerank).toMatchObject({ status: "degraded", model: "openai:stand-in-rerank" });
    expect(body.retrieval.rerank!.reason).toContain(reason);
    expect(body.retrieval.thresholds.min_score_applies_to).toBe("scores.relevance");
    expect(body.retrieval.explain!.reranked).toBeUndefined();
    await expectMatchesOpenApi(test, body);

    const answered = await query({ question });
    expect(answered.status).toBe(200);
    expect(answered.body.retrieval.rerank!.status).toBe("degraded");
  });

  it("rate limited with a Retry-After longer than worth waiting: fused order at once", async () => {
    // With attempts to spare, a Retry-After longer than the reranker's timeout (1 s) is still not waited for.
    withReranker({ maxAttempts: 3 });
    standIn.defaultBehaviour = { kind: "status", status: 429, retryAfter: "3" };
    const started = performance.now();
    const { status, body } = await query({ question: "Are there flightless birds in Australia?", mode: "retrieve" });
    expect(status).toBe(200);
    expect(standIn.requests).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2_500);
    expect(body.retrieval.rerank).toMatchObject({ status: "degraded", reason: "the reranker is rate limiting requests" });
  });

  it("applies a reloaded threshold and candidate count on the next query", async () => {
    standIn.scoreOf = scoreByDocument({ kiwi: 0.9, penguin: 0.7, ostrich: 0.6, emu: 0.55 });
    withReranker({ minScore: 0.65, candidates: 2 });
    // A question not asked before: its scores are not in the rerank cache yet.
    const question = "Which of these birds are unable to fly?";
    const body = (await query({ question, mode: "retrieve", top_k: 10, explain: true })).body;
    expect(body.retrieval.rerank).toMatchObject({ status: "ok", candidates: 2, min_score: 0.65 });
    expect(standIn.requests[0]!.body.documents).toHaveLength(2);
    expect(body.retrieval.hits.every((hit) => hit.scores.rerank! >= 0.65)).toBe(true);
    expect(body.retrieval.explain!.fused.slice(2).every((entry) => entry.reason === "not_reranked")).toBe(true);
    // The request's own min_score thresholds the reranker's score.
    const relaxed = (await query({ question, mode: "retrieve", top_k: 10, min_score: 0 })).body;
    expect(relaxed.retrieval.hits).toHaveLength(2);
    expect(relaxed.retrieval.thresholds).toEqual(expect.objectContaining({ min_score: 0, min_score_applies_to: "scores.rerank" }));
  });
});

/** The response validates against the served OpenAPI document's schema for 200. */
async function expectMatchesOpenApi(test: TestRuntime, body: unknown): Promise<void> {
  const document = (await (await test.app.request(OPENAPI_DOCUMENT_PATH)).json()) as Record<string, unknown>;
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  ajv.addFormat("binary", true);
  for (const keyword of ["openapi", "info", "paths", "components", "security", "tags", "servers", "webhooks"]) ajv.addKeyword(keyword);
  ajv.addSchema(document, "openapi.json");
  const validate = ajv.getSchema("openapi.json#/paths/~1v1~1query/post/responses/200/content/application~1json/schema")!;
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
}
