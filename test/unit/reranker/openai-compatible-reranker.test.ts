import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OpenAiCompatibleReranker } from "../../../src/adapters/reranker/openai-compatible/openai-compatible-reranker.js";
import { ModelRateLimitedError, ModelRequestRejectedError } from "../../../src/adapters/openai/openai-errors.js";
import { AppError, UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError } from "../../../src/core/errors.js";
import { startRerankStandIn, wordOverlapScore, type RerankStandIn } from "../../helpers/rerank-stand-in-server.js";
import { rejectionOf } from "../../helpers/rejection.js";

const QUERY = "Which birds cannot fly";
const DOCUMENTS = ["Sourdough needs a starter.", "Kiwis are birds that cannot fly.", "Penguins are birds."];
const KEY = "rk-stand-in-SECRET-key-0123456789";

describe("OpenAiCompatibleReranker against the /rerank stand-in server", () => {
  let standIn: RerankStandIn;
  let reranker: OpenAiCompatibleReranker;
  beforeAll(async () => {
    standIn = await startRerankStandIn({ path: "/v1" });
  });
  afterAll(async () => {
    await standIn.close();
  });
  beforeEach(() => {
    standIn.requests.length = 0;
    reranker = new OpenAiCompatibleReranker({ baseUrl: `${standIn.baseUrl}/`, apiKey: KEY, model: "stand-in-rerank", requestFormat: "documents" });
  });

  it("posts the Jina/Cohere body with the key and returns one score per document in input order", async () => {
    const result = await reranker.rerank(QUERY, DOCUMENTS);
    // The server replies best first; the port's scores are index-aligned with the documents.
    expect(result.scores).toEqual(DOCUMENTS.map((document) => wordOverlapScore(QUERY, document)));
    expect(result.scores[1]).toBeGreaterThan(result.scores[2]!);
    expect(result.scores[2]).toBeGreaterThan(result.scores[0]!);
    expect(result.usage).toEqual({ inputTokens: DOCUMENTS.length * standIn.tokensPerDocument });
    expect(standIn.requests).toHaveLength(1);
    const [request] = standIn.requests;
    expect(request!.path).toBe("/v1/rerank");
    expect(request!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request!.body).toEqual({ model: "stand-in-rerank", query: QUERY, documents: DOCUMENTS, top_n: 3, return_documents: false });
    expect(reranker.modelId).toBe("openai:stand-in-rerank");
  });

  it("speaks TEI's native body and reads its bare [{index, score}] reply", async () => {
    const tei = new OpenAiCompatibleReranker({ baseUrl: standIn.baseUrl, apiKey: null, model: "bge", requestFormat: "texts" });
    const result = await tei.rerank(QUERY, DOCUMENTS);
    expect(result.scores).toEqual(DOCUMENTS.map((document) => wordOverlapScore(QUERY, document)));
    expect(result.usage).toEqual({ inputTokens: null });
    const [request] = standIn.requests;
    expect(request!.body).toEqual({ query: QUERY, texts: DOCUMENTS, raw_scores: false, return_text: false, truncate: true });
    expect(request!.headers.authorization).toBeUndefined();
  });

  it("sends nothing for no documents", async () => {
    expect(await reranker.rerank(QUERY, [])).toEqual({ scores: [], usage: { inputTokens: null } });
    expect(standIn.requests).toHaveLength(0);
  });

  it("maps 5xx to a transient upstream error without the server's text", async () => {
    standIn.script({ kind: "status", status: 500 });
    const error = await rejectionOf(reranker.rerank(QUERY, DOCUMENTS));
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as AppError).transient).toBe(true);
    expect((error as Error).message).toBe("the reranker failed (HTTP 500)");
    expect((error as Error).message).not.toContain(QUERY);
  });

  it("maps 429 to rate limited with the Retry-After it asked for (1 s when absent)", async () => {
    standIn.script({ kind: "status", status: 429, retryAfter: "7" }, { kind: "status", status: 429 });
    const asked = await rejectionOf(reranker.rerank(QUERY, DOCUMENTS));
    expect(asked).toBeInstanceOf(ModelRateLimitedError);
    expect((asked as AppError).retryAfterSeconds).toBe(7);
    expect(((await rejectionOf(reranker.rerank(QUERY, DOCUMENTS))) as AppError).retryAfterSeconds).toBe(1);
  });

  it("maps 503, 504 and 4xx like the OpenAI adapters do", async () => {
    standIn.script({ kind: "status", status: 503, retryAfter: "2" }, { kind: "status", status: 504 }, { kind: "status", status: 401 });
    const unavailable = await rejectionOf(reranker.rerank(QUERY, DOCUMENTS));
    expect(unavailable).toBeInstanceOf(UpstreamUnavailableError);
    expect((unavailable as AppError).retryAfterSeconds).toBe(2);
    expect(await rejectionOf(reranker.rerank(QUERY, DOCUMENTS))).toBeInstanceOf(UpstreamTimeoutError);
    const rejected = await rejectionOf(reranker.rerank(QUERY, DOCUMENTS));
    expect(rejected).toBeInstanceOf(ModelRequestRejectedError);
    expect((rejected as AppError).transient).toBe(false);
    expect((rejected as ModelRequestRejectedError).upstreamStatus).toBe(401);
  });

  it("refuses malformed JSON, an unknown shape and a reply of the wrong length with a clear upstream error", async () => {
    standIn.script({ kind: "invalid-json" }, { kind: "unknown-shape" }, { kind: "wrong-length" });
    const malformed = await rejectionOf(reranker.rerank(QUERY, DOCUMENTS));
    expect(malformed).toBeInstanceOf(UpstreamError);
    expect((malformed as Error).message).toBe("the reranker returned a reply that is not JSON");
    expect(((await rejectionOf(reranker.rerank(QUERY, DOCUMENTS))) as Error).message).toMatch(/unknown shape/);
    const short = await rejectionOf(reranker.rerank(QUERY, DOCUMENTS));
    expect(short).toBeInstanceOf(UpstreamError);
    expect((short as Error).message).toBe("the reranker returned 2 scores for 3 documents");
  });

  it("says the server could not be reached when nothing listens", async () => {
    const closed = await startRerankStandIn();
    const baseUrl = closed.baseUrl;
    await closed.close();
    const nowhere = new OpenAiCompatibleReranker({ baseUrl, apiKey: null, model: "m", requestFormat: "documents" });
    const error = await rejectionOf(nowhere.rerank(QUERY, DOCUMENTS));
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect((error as Error).message).toBe("the reranker could not be reached");
  });

  it("passes an abort through untouched", async () => {
    standIn.script({ kind: "hang" });
    const controller = new AbortController();
    const pending = rejectionOf(reranker.rerank(QUERY, DOCUMENTS, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 20);
    const error = await pending;
    expect(error).not.toBeInstanceOf(AppError);
    expect((error as Error).name).toBe("AbortError");
  });
});
