import { writeFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { childProcessEnvironment, isProductionVariable, uniqueTestKeyPrefix, withoutProductionVariables } from "../helpers/test-environment.js";

const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("the hermetic test environment", () => {
  it("classifies production variables, keeping RAGLINE_TEST_*", () => {
    for (const name of [
      "REDIS_URL",
      "DATABASE_URL",
      "OPENAI_API_KEY",
      "OPENAI_BASE_URL",
      "QDRANT_URL",
      "QDRANT_API_KEY",
      "RAGLINE_CONFIG",
      "RAGLINE_STORE_PROVIDER",
      "DATA_DIR",
      "PORT",
    ]) {
      expect(isProductionVariable(name), name).toBe(true);
    }
    for (const name of ["RAGLINE_TEST_REDIS_URL", "RAGLINE_TEST_DATABASE_URL", "PATH", "HOME", "CI", "NODE_OPTIONS"]) {
      expect(isProductionVariable(name), name).toBe(false);
    }
    expect(withoutProductionVariables({ REDIS_URL: "redis://prod", RAGLINE_TEST_REDIS_URL: "redis://test", PATH: "/bin" })).toEqual({
      RAGLINE_TEST_REDIS_URL: "redis://test",
      PATH: "/bin",
    });
  });

  it("gives this test process no production variable, and the run's clean config", () => {
    expect(Object.keys(process.env).filter(isProductionVariable)).toEqual(["RAGLINE_CONFIG"]);
    expect(process.env.RAGLINE_CONFIG).toMatch(/ragline-test-run-[^/\\]+[/\\]ragline\.config\.yaml$/);
    expect(uniqueTestKeyPrefix()).toMatch(/^ragline-test:[0-9a-f]+\.[0-9a-f]{12}:$/);
  });

  it("makes a spawned service ignore the project root's ragline.config.yaml and production variables", async () => {
    const environment = childProcessEnvironment();
    expect(Object.keys(environment).filter((name) => name.startsWith("RAGLINE_TEST_"))).toEqual([]);
    const { filePath, config } = loadConfig({ environment, cwd: PROJECT_ROOT });
    expect(filePath).toBe(process.env.RAGLINE_CONFIG);
    expect(config.redis.url ?? null).toBeNull();
    expect(config.server.dataDir).toMatch(/ragline-test-run-[^/\\]+[/\\]data$/);

    // Even where a broken ragline.config.yaml lies in the working directory.
    const directory = await mkdtemp(join(tmpdir(), "ragline-broken-config-"));
    try {
      await writeFile(join(directory, "ragline.config.yaml"), "retrieval:\n  minScore: [not a number\n");
      expect(loadConfig({ environment, cwd: directory }).filePath).toBe(process.env.RAGLINE_CONFIG);
      expect(() => loadConfig({ environment: {}, cwd: directory })).toThrow(/Invalid configuration/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
