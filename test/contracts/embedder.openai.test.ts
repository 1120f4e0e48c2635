import { describe, expect, it } from "vitest";
import { OpenAiEmbedder } from "../../src/adapters/embedder/openai/openai-embedder.js";
import { createOpenAiClient } from "../../src/adapters/openai/openai-client.js";
import { startOpenAiStandIn } from "../helpers/openai-stand-in-server.js";
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
