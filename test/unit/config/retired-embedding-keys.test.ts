import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load-config.js";

describe("embedding request limits in the configuration", () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "ragline-config-"));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("defaults to OpenAI's limits and takes per-endpoint values", () => {
    expect(loadConfig({ environment: {}, cwd: directory }).config.embedding).toMatchObject({ maxInputsPerCall: 2048, maxTokensPerCall: 300_000 });
    const { config } = loadConfig({
      environment: { RAGLINE_EMBEDDING_MAX_INPUTS_PER_CALL: "32", RAGLINE_EMBEDDING_MAX_TOKENS_PER_CALL: "16384" },
      cwd: directory,
    });
    expect(config.embedding).toMatchObject({ maxInputsPerCall: 32, maxTokensPerCall: 16_384 });
  });

  it("refuses the retired batchSize and maxBatchTokens with one line naming the key that replaced each", async () => {
    const fromEnvironment = (name: string) => {
      try {
        loadConfig({ environment: { [name]: "64" }, cwd: directory });
      } catch (error) {
        return (error as Error).message;
      }
      return "accepted";
    };
    expect(fromEnvironment("RAGLINE_EMBEDDING_BATCH_SIZE")).toBe(
      "Invalid configuration: RAGLINE_EMBEDDING_BATCH_SIZE (embedding.batchSize) is no longer supported; use embedding.maxInputsPerCall (set per endpoint)",
    );
    expect(fromEnvironment("RAGLINE_EMBEDDING_MAX_BATCH_TOKENS")).toMatch(/^[^\n]*use embedding\.maxTokensPerCall[^\n]*$/);

    const file = join(directory, "ragline.config.yaml");
    await writeFile(file, "embedding:\n  batchSize: 64\n");
    expect(() => loadConfig({ environment: {}, cwd: directory })).toThrow(
      `Invalid configuration: embedding.batchSize: is no longer supported; use embedding.maxInputsPerCall (set per endpoint) (from ${file})`,
    );
    await writeFile(file, "embedding:\n  maxBatchTokens: 1000\n");
    expect(() => loadConfig({ environment: {}, cwd: directory })).toThrow(
      /^Invalid configuration: embedding\.maxBatchTokens: .*embedding\.maxTokensPerCall[^\n]*$/,
    );
  });

  it("refuses an input limit above the request limit", () => {
    expect(() => loadConfig({ environment: { RAGLINE_EMBEDDING_MAX_TOKENS_PER_CALL: "1000" }, cwd: directory })).toThrow(/embedding\.maxInputTokens/);
  });
});
