import { describe, expect, it } from "vitest";
import { MemoryKeyValue } from "../../src/adapters/key-value/memory/memory-key-value.js";
import { createModelLayer } from "../../src/compose/create-model-layer.js";
import { createRerankerSource } from "../../src/compose/create-reranker-source.js";
import { configSchema } from "../../src/config/schema.js";
import { createLogger } from "../../src/observability/logger.js";
import { Metrics } from "../../src/observability/metrics.js";

describe("createRerankerSource (composition of the live retrieval.reranker settings)", () => {
  const config = configSchema.parse({ server: { logLevel: "silent" } });
  const metrics = new Metrics();
  const logger = createLogger({ level: "silent" });
  const keyValue = new MemoryKeyValue({ maxEntries: 10 });
  const models = createModelLayer(config, { metrics, logger, keyValue });
  const openai = { ...config.retrieval.reranker, provider: "openai" as const, baseUrl: "http://127.0.0.1:9/v1", model: "m" };

  it("gives no stage with provider none, and rebuilds the reranker only when its connection settings change", () => {
    let settings = config.retrieval.reranker;
    const source = createRerankerSource({ settings: () => settings, openai: config.openai, models, keyValue, metrics, logger });
    expect(source()).toBeNull();

    settings = openai;
    const first = source()!;
    expect(first).toMatchObject({ candidates: 50, minScore: 0.1 });
    expect(first.reranker.modelId).toBe("openai:m");
    expect(models.policies.reranker).toBeDefined();

    settings = { ...openai, minScore: 0.7, candidates: 10 };
    const moved = source()!;
    expect(moved).toMatchObject({ candidates: 10, minScore: 0.7 });
    expect(moved.reranker).toBe(first.reranker);

    settings = { ...openai, model: "other" };
    const rebuilt = source()!;
    expect(rebuilt.reranker).not.toBe(first.reranker);
    expect(rebuilt.reranker.modelId).toBe("openai:other");
  });
});
