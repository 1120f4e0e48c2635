import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/load-config.js";
import { ReloadableRetrievalSettings } from "../../src/config/reloadable-settings.js";
import { capturingLogger } from "../helpers/model-layer-fixtures.js";

const RERANK_KEY = "rk-SECRET-reranker-key-0123456789";
const OPENAI_KEY = "sk-SECRET-openai-key-0123456789";

describe("retrieval.reranker configuration", () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "ragline-reranker-config-"));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });
  const load = (environment: Record<string, string>) => loadConfig({ environment, cwd: directory }).config.retrieval.reranker;

  it("is off by default, with 50 candidates and its own threshold", () => {
    expect(load({})).toEqual({
      provider: "none",
      baseUrl: null,
      apiKey: null,
      model: null,
      requestFormat: "documents",
      candidates: 50,
      minScore: 0.1,
      timeoutMs: 2_000,
      maxAttempts: 2,
      cacheTtlSeconds: 86_400,
    });
  });

  it("reads every key from RAGLINE_RETRIEVAL_RERANKER_*, the API key included", () => {
    const reranker = load({
      RAGLINE_RETRIEVAL_RERANKER_PROVIDER: "openai",
      RAGLINE_RETRIEVAL_RERANKER_BASE_URL: "http://tei:8080",
      RAGLINE_RETRIEVAL_RERANKER_API_KEY: RERANK_KEY,
      RAGLINE_RETRIEVAL_RERANKER_MODEL: "BAAI/bge-reranker-v2-m3",
      RAGLINE_RETRIEVAL_RERANKER_REQUEST_FORMAT: "texts",
      RAGLINE_RETRIEVAL_RERANKER_CANDIDATES: "30",
      RAGLINE_RETRIEVAL_RERANKER_MIN_SCORE: "0.25",
    });
    expect(reranker).toMatchObject({
      provider: "openai",
      baseUrl: "http://tei:8080",
      apiKey: RERANK_KEY,
      requestFormat: "texts",
      candidates: 30,
      minScore: 0.25,
    });
  });

  it("uses openai.baseUrl and its key when no baseUrl of its own is set, but never sends the OpenAI key to another host", () => {
    const shared = {
      OPENAI_BASE_URL: "http://vllm:8000/v1",
      OPENAI_API_KEY: OPENAI_KEY,
      RAGLINE_RETRIEVAL_RERANKER_PROVIDER: "openai",
      RAGLINE_RETRIEVAL_RERANKER_MODEL: "m",
    };
    expect(load(shared)).toMatchObject({ baseUrl: "http://vllm:8000/v1", apiKey: OPENAI_KEY });
    expect(load({ ...shared, RAGLINE_RETRIEVAL_RERANKER_BASE_URL: "http://tei:8080" })).toMatchObject({ baseUrl: "http://tei:8080", apiKey: null });
  });

  it("refuses provider openai without a model or without an endpoint, naming the key", () => {
    expect(() => load({ RAGLINE_RETRIEVAL_RERANKER_PROVIDER: "openai", RAGLINE_RETRIEVAL_RERANKER_BASE_URL: "http://tei:8080" })).toThrow(
      /retrieval\.reranker\.model: provider openai needs a model/,
    );
    expect(() => load({ RAGLINE_RETRIEVAL_RERANKER_PROVIDER: "openai", RAGLINE_RETRIEVAL_RERANKER_MODEL: "m" })).toThrow(/retrieval\.reranker\.baseUrl/);
    expect(() => load({ RAGLINE_RETRIEVAL_RERANKER_PROVIDER: "cohere" })).toThrow(ConfigError);
    expect(() => load({ RAGLINE_RETRIEVAL_RERANKER_CANDIDATES: "0" })).toThrow(/retrieval\.reranker\.candidates/);
  });

  it("reloads with the rest of retrieval, and the reload's log line never holds the key", async () => {
    const file = join(directory, "ragline.config.yaml");
    await writeFile(file, "retrieval:\n  minScore: 0.2\n");
    const environment = { RAGLINE_CONFIG: file };
    const logs = capturingLogger();
    const settings = new ReloadableRetrievalSettings(loadConfig({ environment, cwd: directory }), { environment, cwd: directory, logger: logs.logger });
    expect(settings.current().reranker.provider).toBe("none");
    await writeFile(
      file,
      `retrieval:\n  reranker:\n    provider: openai\n    baseUrl: http://tei:8080\n    model: bge\n    apiKey: ${RERANK_KEY}\n    minScore: 0.4\n`,
    );
    expect(settings.reload("test")).toBe(true);
    expect(settings.current().reranker).toMatchObject({ provider: "openai", apiKey: RERANK_KEY, minScore: 0.4 });
    expect(logs.text()).toContain("retrieval settings reloaded");
    expect(logs.text()).toContain("[redacted]");
    expect(logs.text()).not.toContain(RERANK_KEY);
  });
});
