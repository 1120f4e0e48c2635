import { describe, expect, it } from "vitest";
import { EmbeddingCache, embeddingCacheKey } from "../../src/use-cases/embedding-cache.js";
import type { KeyValue } from "../../src/ports/key-value.js";
import { MemoryKeyValue } from "../../src/adapters/key-value/memory/memory-key-value.js";
import { CountingEmbedder } from "../helpers/test-runtime.js";

describe("EmbeddingCache", () => {
  it("embeds only misses, once per distinct text, and serves repeats from the cache", async () => {
    const embedder = new CountingEmbedder(64);
    const cache = new EmbeddingCache({ embedder, keyValue: new MemoryKeyValue({ maxEntries: 100 }) });
    const first = await cache.embed(["alpha", "beta", "alpha"]);
    expect(embedder.texts).toEqual(["alpha", "beta"]);
    expect(first[0]).toEqual(first[2]);
    const second = await cache.embed(["beta", "gamma", "alpha"]);
    expect(embedder.texts).toEqual(["alpha", "beta", "gamma"]);
    expect(second[0]).toEqual(first[1]);
    expect(second[2]).toEqual(first[0]);
    expect(second[1]).toHaveLength(64);
  });

  it("splits misses into calls no larger than the embedder's maxInputsPerCall", async () => {
    const embedder = Object.defineProperty(new CountingEmbedder(16), "maxInputsPerCall", { value: 3 });
    const cache = new EmbeddingCache({ embedder, keyValue: new MemoryKeyValue({ maxEntries: 100 }) });
    await cache.embed(["a1", "a2", "a3", "a4", "a5", "a6", "a7"]);
    expect(embedder.calls).toBe(3);
  });

  it("keeps each tenant's cached vectors to itself unless shareAcrossTenants, also within one batch", async () => {
    const embedder = new CountingEmbedder(16);
    const cache = new EmbeddingCache({ embedder, keyValue: new MemoryKeyValue({ maxEntries: 100 }) });
    await cache.embed(["the secret merger plan"], { tenant: "alpha" });
    await cache.embed(["the secret merger plan"], { tenant: "beta" });
    expect(embedder.texts).toEqual(["the secret merger plan", "the secret merger plan"]);
    await cache.embedGroups([
      { texts: ["shared words"], tenant: "alpha" },
      { texts: ["shared words"], tenant: "beta" },
    ]);
    expect(embedder.texts.filter((text) => text === "shared words")).toHaveLength(2);
    await cache.embed(["the secret merger plan"], { tenant: "alpha" });
    expect(embedder.texts).toHaveLength(4);

    const sharing = new CountingEmbedder(16);
    const shared = new EmbeddingCache({ embedder: sharing, keyValue: new MemoryKeyValue({ maxEntries: 100 }), shareAcrossTenants: true });
    await shared.embed(["the secret merger plan"], { tenant: "alpha" });
    await shared.embed(["the secret merger plan"], { tenant: "beta" });
    expect(sharing.texts).toEqual(["the secret merger plan"]);
    expect(embeddingCacheKey("m", 8, "hello", "alpha")).toBe("emb:t:alpha:m:8:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  });

  it("uses the DESIGN key scheme: model, dimension and sha256 of the text", () => {
    expect(embeddingCacheKey("m", 8, "hello")).toBe("emb:m:8:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  });

  it("treats a failing cache as all misses and still returns vectors", async () => {
    const broken: KeyValue = {
      mget: async () => {
        throw new Error("cache down");
      },
      mset: async () => {
        throw new Error("cache down");
      },
    };
    const embedder = new CountingEmbedder(16);
    const cache = new EmbeddingCache({ embedder, keyValue: broken });
    const vectors = await cache.embed(["x", "y"]);
    expect(vectors).toHaveLength(2);
    expect(embedder.calls).toBe(1);
  });
});

describe("EmbeddingCache token budget", () => {
  const words = (count: number) => Array.from({ length: count }, (_, index) => `w${index}`).join(" ");
  const budget = { count: (text: string) => text.split(" ").length, maxInputTokens: 10 };
  const limitedTo12Tokens = () => Object.defineProperty(new CountingEmbedder(16), "maxTokensPerCall", { value: 12 });

  it("splits a batch so no embedder call exceeds the embedder's maxTokensPerCall", async () => {
    const embedder = limitedTo12Tokens();
    const cache = new EmbeddingCache({ embedder, keyValue: new MemoryKeyValue({ maxEntries: 100 }), tokenBudget: budget });
    // 5 + 6 tokens fit in 12; the next 6 would not, so it opens a second call that the last 2 join.
    await cache.embed([words(5), `a ${words(5)}`, `b ${words(5)}`, `c ${words(1)}`]);
    expect(embedder.calls).toBe(2);
    const unbudgeted = limitedTo12Tokens();
    await new EmbeddingCache({ embedder: unbudgeted, keyValue: new MemoryKeyValue({ maxEntries: 100 }) }).embed([
      words(5),
      `a ${words(5)}`,
      `b ${words(5)}`,
      `c ${words(1)}`,
    ]);
    expect(unbudgeted.calls).toBe(1);
  });

  it("refuses a single input over the model's limit instead of truncating it", async () => {
    const embedder = new CountingEmbedder(16);
    const cache = new EmbeddingCache({ embedder, keyValue: new MemoryKeyValue({ maxEntries: 100 }), tokenBudget: budget });
    await expect(cache.embed([words(11)])).rejects.toThrow(/exceeds the embedding model's limit of 10/);
    expect(embedder.calls).toBe(0);
  });
});
