import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstreamUnavailableError } from "../../src/core/errors.js";
import { MIN_RELEVANCE_DEFAULT } from "../../src/core/ranking/rank-candidates.js";
import { createApp } from "../../src/http/create-app.js";
import { queryRoutes } from "../../src/http/routes/query-routes.js";
import type { VectorStore } from "../../src/ports/vector-store.js";
import { jsonRequest, startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

interface ExplainedCandidate {
  chunk_id: string;
  score: number;
  rank: number;
}

interface QueryBody {
  answer_status: "answered" | "refused" | "degraded";
  answer: string | null;
  citations: Array<{ n: number; document_id: string; chunk_id: string; start: number; end: number; snippet: string }>;
  retrieval: {
    status: string;
    hits: Array<{ chunk_id: string; document_id: string; text: string; scores: { dense: number; fused: number; relevance: number } }>;
    cut?: Array<{ chunk_id: string; scores: { dense: number; relevance: number } }>;
    thresholds: { min_score: number; min_score_applies_to: string; fusion: { method: string } };
    explain?: {
      dense: ExplainedCandidate[];
      lexical: ExplainedCandidate[];
      fused: Array<{
        chunk_id: string;
        fused: number;
        relevance: number;
        relevance_parts: { coverage: number; dense: number; anchors: number } | null;
        kept: boolean;
        reason: string | null;
      }>;
    };
  };
  degraded: boolean;
  prompt_version: string | null;
  model: string | null;
}

const DOCUMENTS: Record<string, string> = {
  volcanoes: "Mount Etna is an active stratovolcano on the east coast of Sicily. It erupts frequently and its lava flows have reached nearby towns.",
  bread: "Sourdough bread is leavened with a culture of wild yeast and lactic acid bacteria. The starter is fed with flour and water every day.",
  chess: "In chess, castling moves the king two squares towards a rook. It is the only move in which two pieces move at once.",
};

describe("POST /v1/query over the embedded adapters", () => {
  let test: TestRuntime;
  beforeAll(async () => {
    test = await startTestRuntime({ retrieval: { minScore: 0.1, maxTopK: 10, minScoreFloor: 0.05 } });
    for (const [id, text] of Object.entries(DOCUMENTS)) await test.app.request(`/v1/documents/${id}`, jsonRequest("PUT", { text }));
    for (const id of Object.keys(DOCUMENTS)) {
      await waitFor(async () => ((await (await test.app.request(`/v1/documents/${id}`)).json()) as { status: string }).status === "indexed", `${id} indexed`);
    }
  });
  afterAll(async () => {
    await test.close();
  });

  const query = async (body: Record<string, unknown>, app = test.app) => {
    const response = await app.request("/v1/query", jsonRequest("POST", body));
    return { response, body: (await response.json()) as QueryBody };
  };

  it("answers with cited sentences whose offsets slice the cited text out of the chunk", async () => {
    const { response, body } = await query({ question: "Where is Mount Etna?" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-retrieval-status")).toBe("ok");
    expect(body.retrieval.hits[0]?.document_id).toBe("volcanoes");
    expect(body.answer).toContain("Sicily");
    expect(body.answer).toMatch(/\[1\]/);
    expect(body.citations[0]?.document_id).toBe("volcanoes");
    for (const citation of body.citations) {
      const hit = body.retrieval.hits.find((candidate) => candidate.chunk_id === citation.chunk_id);
      expect(hit?.text.slice(citation.start, citation.end)).toBe(citation.snippet);
    }
    expect(body).toMatchObject({ answer_status: "answered", degraded: false, prompt_version: "extractive.v1", model: "local-extractive" });
  });

  it("returns hits only in retrieve mode, each with fused and component scores", async () => {
    const { body } = await query({ question: "How is sourdough leavened?", mode: "retrieve" });
    expect(body.answer).toBeNull();
    expect(body.citations).toEqual([]);
    expect(body.retrieval.hits[0]?.document_id).toBe("bread");
    expect(body.answer_status).toBe("answered");
    expect(body.retrieval.thresholds).toMatchObject({ min_score: 0.1, min_score_applies_to: "scores.relevance", fusion: { method: "weighted-rrf" } });
    expect(body.retrieval.hits.every((hit) => hit.scores.relevance >= 0.1 && hit.scores.relevance <= 1)).toBe(true);
  });

  it("turns away a question the documents do not mention at the default relevance threshold, as a refusal", async () => {
    const { response, body } = await query({ question: "Who won the 2018 FIFA World Cup?", min_score: MIN_RELEVANCE_DEFAULT });
    expect(response.status).toBe(200);
    expect(body.retrieval.status).toBe("empty");
    expect(body.answer_status).toBe("refused");
    const retrieved = await query({ question: "Who won the 2018 FIFA World Cup?", min_score: MIN_RELEVANCE_DEFAULT, mode: "retrieve" });
    expect(retrieved.body).toMatchObject({ answer_status: "refused", answer: null, retrieval: { status: "empty" } });
  });

  it("rejects everything for an unrelated question once min_score is high, and explains what was cut", async () => {
    const { response, body } = await query({ question: "What is the airspeed velocity of an unladen swallow?", min_score: 0.9, explain: true });
    expect(response.headers.get("x-retrieval-status")).toBe("empty");
    expect(body.retrieval.status).toBe("empty");
    expect(body.retrieval.hits).toEqual([]);
    expect(body.answer).toBe("I could not find this in the documents.");
    expect(body.answer_status).toBe("refused");
    expect(body.retrieval.cut!.length).toBeGreaterThan(0);
    expect(body.retrieval.cut!.every((candidate) => candidate.scores.relevance < 0.9)).toBe(true);
    // Each stage: both retrievers' candidates with raw scores and ranks, the fused order, and why each was cut.
    const explain = body.retrieval.explain!;
    expect(explain.dense.length).toBeGreaterThan(0);
    expect(explain.dense.map((candidate) => candidate.rank)).toEqual(explain.dense.map((_, index) => index + 1));
    expect(explain.dense.every((candidate, index) => index === 0 || explain.dense[index - 1]!.score >= candidate.score)).toBe(true);
    // No document shares a term with the question, so the lexical retriever listed nothing.
    expect(explain.lexical).toEqual([]);
    expect(explain.fused.length).toBeGreaterThanOrEqual(Math.max(explain.dense.length, explain.lexical.length));
    expect(explain.fused.every((candidate) => !candidate.kept && candidate.reason === "below_min_score" && candidate.relevance < 0.9)).toBe(true);
    // Each relevance is shown with its parts, and is made of them.
    for (const { relevance, relevance_parts: parts } of explain.fused) {
      expect(parts).not.toBeNull();
      expect(relevance).toBeCloseTo(parts!.anchors * (0.8 * parts!.coverage + 0.2 * parts!.dense), 12);
    }
    expect(explain.fused.every((candidate, index) => index === 0 || explain.fused[index - 1]!.fused >= candidate.fused)).toBe(true);
  });

  it("explains a kept hit and one beyond top_k", async () => {
    const { body } = await query({ question: "Sourdough bread starter flour chess Etna", mode: "retrieve", top_k: 1, explain: true });
    const fused = body.retrieval.explain!.fused;
    expect(fused[0]).toMatchObject({ kept: true, reason: null, chunk_id: body.retrieval.hits[0]!.chunk_id });
    expect(fused.slice(1).some((candidate) => candidate.reason === "beyond_top_k")).toBe(true);
    const lexical = body.retrieval.explain!.lexical;
    expect(lexical.length).toBeGreaterThan(0);
    expect(lexical.every((candidate, index) => candidate.rank === index + 1 && candidate.score > 0)).toBe(true);
    const plain = await query({ question: "Sourdough bread", mode: "retrieve" });
    expect(plain.body.retrieval.explain).toBeUndefined();
  });

  it("refuses request overrides beyond the configured bounds with 400 naming the field", async () => {
    const tooMany = await query({ question: "chess", top_k: 11 });
    expect(tooMany.response.status).toBe(400);
    expect(JSON.stringify(tooMany.body)).toContain("top_k");
    const tooLow = await query({ question: "chess", min_score: 0.01 });
    expect(tooLow.response.status).toBe(400);
    expect(JSON.stringify(tooLow.body)).toContain("min_score");
    const missing = await test.app.request("/v1/query", jsonRequest("POST", { top_k: 3 }));
    expect(missing.status).toBe(400);
    expect(JSON.stringify(await missing.json())).toContain("question");
  });

  it("answers a malformed body with the 400 envelope naming each field path; a non-JSON body with 415; an oversized one with 413", async () => {
    const invalid = await test.app.request("/v1/query", jsonRequest("POST", { question: " ", top_k: "3", filter: { sources: [] }, extra: 1 }));
    expect(invalid.status).toBe(400);
    const envelope = (await invalid.json()) as { error: { code: string; message: string; details: { issues: Array<{ path: string }> } }; request_id: string };
    expect(envelope).toMatchObject({ error: { code: "validation_error" }, request_id: expect.any(String) });
    expect(envelope.error.details.issues.map((issue) => issue.path).sort()).toEqual(["", "filter.sources", "question", "top_k"]);
    expect(envelope.error.message).toContain("top_k");

    const malformed = await test.app.request("/v1/query", jsonRequest("POST", '{"question":'));
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: "validation_error" } });

    const text = await test.app.request("/v1/query", { method: "POST", headers: { "content-type": "text/plain" }, body: '{"question":"chess"}' });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ error: { code: "unsupported_media_type" } });

    const huge = await test.app.request("/v1/query", jsonRequest("POST", { question: "x".repeat(70 * 1024) }));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: { code: "payload_too_large" } });
  });

  it("streams the extractive answer as one delta between the retrieval and the citations", async () => {
    const response = await test.app.request("/v1/query", jsonRequest("POST", { question: "Where is Mount Etna?", stream: true }));
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(response.headers.get("x-retrieval-status")).toBe("ok");
    const events = (await response.text())
      .split("\n\n")
      .filter((block) => block.trim())
      .map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1], data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "null") as Record<string, any> }));
    expect(events.map((event) => event.event)).toEqual(["retrieval", "delta", "citations", "usage", "done"]);
    expect(events[1]!.data.text).toBe(events[4]!.data.answer);
    expect(events[4]!.data).toMatchObject({ answer_status: "answered", prompt_version: "extractive.v1", degraded: false });
    expect(events[2]!.data.citations[0]).toMatchObject({ n: 1, document_id: "volcanoes" });
  });

  it("describes POST /v1/query in OpenAPI from its zod schemas: the request body, the JSON answer and the event stream", () => {
    const deps = test.runtime.deps;
    const routes = queryRoutes({ ...deps, retrievalSettings: () => deps.retrievalSettings.current() });
    const document = routes.getOpenAPIDocument({ openapi: "3.0.0", info: { title: "ragline", version: "test" } }) as Record<string, any>;
    const post = document.paths["/"].post;
    expect(post.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/QueryRequest" });
    expect(Object.keys(post.responses["200"].content)).toEqual(["application/json", "text/event-stream"]);
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(["200", "400", "413", "415", "502", "503", "504"]));
    const request = document.components.schemas.QueryRequest;
    expect(request.required).toEqual(["question"]);
    expect(Object.keys(request.properties)).toEqual(["question", "top_k", "min_score", "filter", "mode", "explain", "stream"]);
    expect(document.components.schemas.QueryResponse.properties.citations.items).toEqual({ $ref: "#/components/schemas/Citation" });
  });

  it("restricts retrieval to the documents named in the filter", async () => {
    const { body } = await query({ question: "Where is Mount Etna?", mode: "retrieve", min_score: 0.05, filter: { document_ids: ["chess", "bread"] } });
    expect(body.retrieval.hits.every((hit) => hit.document_id !== "volcanoes")).toBe(true);
  });

  it("falls back when the vector store is down: status unavailable, degraded, header set (store replaced by a failing stand-in)", async () => {
    const failingStore: VectorStore = {
      ...test.runtime.deps.store,
      kind: "failing-stand-in",
      candidates: async () => {
        throw new UpstreamUnavailableError("connection refused");
      },
      health: async () => ({ status: "down", detail: "stand-in is down" }),
    };
    const app = createApp({ ...test.runtime.deps, store: failingStore });
    const { response, body } = await query({ question: "Where is Mount Etna?" }, app);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-retrieval-status")).toBe("unavailable");
    expect(body).toMatchObject({ answer_status: "degraded", degraded: true, retrieval: { status: "unavailable", hits: [] } });
    expect(body.answer).toMatch(/unavailable/i);
    const ready = await app.request("/readyz");
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ dependencies: { vector_store: { status: "down" } } });
  });
});

describe("no context behaviour", () => {
  it("with onNoContext=fallback answers on the no-context path, flagged degraded", async () => {
    const test = await startTestRuntime({ retrieval: { onNoContext: "fallback", minScore: 0.95 } });
    try {
      const response = await test.app.request("/v1/query", jsonRequest("POST", { question: "Anything at all?" }));
      const body = (await response.json()) as QueryBody;
      expect(body.retrieval.status).toBe("empty");
      expect(body.degraded).toBe(true);
      expect(body.answer_status).toBe("degraded");
      expect(body.answer).toMatch(/no language model/i);
    } finally {
      await test.close();
    }
  });
});

describe("tenants", () => {
  it("keeps each API key's documents invisible to other tenants and requires a key", async () => {
    const keys = [
      { key: "key-alpha-0123456789", tenant: "alpha" },
      { key: "key-beta-01234567890", tenant: "beta" },
    ];
    const test = await startTestRuntime({ auth: { apiKeys: keys } });
    try {
      const alpha = { authorization: "Bearer key-alpha-0123456789" };
      const beta = { "x-api-key": "key-beta-01234567890" };
      expect((await test.app.request("/v1/documents")).status).toBe(401);
      expect((await test.app.request("/v1/documents", { headers: { authorization: "Bearer wrong-key-000000000" } })).status).toBe(401);
      await test.app.request("/v1/documents/secret", jsonRequest("PUT", { text: "The vault code is kept under the blue lamp." }, alpha));
      await waitFor(
        async () => ((await (await test.app.request("/v1/documents/secret", { headers: alpha })).json()) as { status: string }).status === "indexed",
        "indexed",
      );
      expect((await test.app.request("/v1/documents/secret", { headers: beta })).status).toBe(404);
      const betaQuery = (await (
        await test.app.request("/v1/query", jsonRequest("POST", { question: "Where is the vault code kept?", min_score: 0 }, beta))
      ).json()) as QueryBody;
      expect(betaQuery.retrieval.hits).toEqual([]);
      const alphaQuery = (await (
        await test.app.request("/v1/query", jsonRequest("POST", { question: "Where is the vault code kept?", min_score: 0 }, alpha))
      ).json()) as QueryBody;
      expect(alphaQuery.retrieval.hits[0]?.document_id).toBe("secret");
    } finally {
      await test.close();
    }
  });
});
