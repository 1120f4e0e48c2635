import { describe, expect, it } from "vitest";
import { OpenAiEmbedder } from "../../src/adapters/embedder/openai/openai-embedder.js";
import { createOpenAiClient } from "../../src/adapters/openai/openai-client.js";
import { startOpenAiStandIn } from "../helpers/openai-stand-in-server.js";
import { startEmbeddingStandIn } from "../helpers/embedding-endpoint-stand-in.js";
import { runEmbedderContract } from "./embedder.contract.js";

/** The stand-in server answers /v1/embeddings with 64-dimensional vectors (no real model runs here). */
const STAND_IN_DIMENSION = 64;

function openEmbedder(baseUrl: string, dimension = STAND_IN_DIMENSION): OpenAiEmbedder {
  return new OpenAiEmbedder(createOpenAiClient({ baseUrl, apiKey: "test-key", timeoutMs: 10_000 }), { model: "stand-in-embed", dimension });
}

runEmbedderContract({
  name: "OpenAI-compatible embedder (against the OpenAI stand-in server)",
  create: async () => {
    const standIn = await startOpenAiStandIn();
    return { open: () => openEmbedder(standIn.baseUrl), cleanup: () => standIn.close() };
  },
});

describe("OpenAiEmbedder (against the OpenAI stand-in server)", () => {
  it("refuses vectors of another length than embedding.dimension, and maps an endpoint error to an upstream error", async () => {
    const standIn = await startOpenAiStandIn();
    try {
      await expect(openEmbedder(standIn.baseUrl, 32).embed(["text"])).rejects.toThrow(/length 64, expected 32/);
      standIn.scriptEmbeddings({ kind: "status", status: 503, retryAfter: "1" });
      await expect(openEmbedder(standIn.baseUrl).embed(["text"])).rejects.toMatchObject({ code: expect.stringMatching(/^upstream/) });
      expect(standIn.embeddingRequests()[0]!.body).toMatchObject({ model: "stand-in-embed", input: ["text"], dimensions: 32 });
    } finally {
      await standIn.close();
    }
  });
});

describe("OpenAiEmbedder vector encodings", () => {
  it("asks for base64 vectors by default and reads them as it reads floats", async () => {
    const standIn = await startEmbeddingStandIn();
    try {
      const client = createOpenAiClient({ baseUrl: standIn.baseUrl, apiKey: "test-key", timeoutMs: 10_000 });
      const texts = ["Photosynthesis takes place in chloroplasts.", "Invoices are payable within thirty days."];
      const base64 = await new OpenAiEmbedder(client, { model: "m", dimension: 48 }).embed(texts);
      const floats = await new OpenAiEmbedder(client, { model: "m", dimension: 48, encodingFormat: "float" }).embed(texts);
      expect(base64).toHaveLength(2);
      expect(base64[0]).toHaveLength(48);
      base64.forEach((vector, index) => vector.forEach((value, position) => expect(value).toBeCloseTo(floats[index]![position]!, 6)));
      expect(base64[0]).not.toEqual(base64[1]);
      expect(standIn.requests.map((request) => request.encoding)).toEqual(["base64", "float"]);
    } finally {
      await standIn.close();
    }
  });
});
