import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/load-config.js";

describe("loadConfig", () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "ragline-config-"));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("uses the documented defaults with no file and no environment", () => {
    const { config, filePath } = loadConfig({ environment: {}, cwd: directory });
    expect(filePath).toBeNull();
    expect(config.server).toMatchObject({ host: "127.0.0.1", port: 8080, dataDir: "./data" });
    expect(config.upload.maxBytes).toBe(50 * 1024 * 1024);
    expect(config.retrieval.onNoContext).toBe("refuse");
  });

  it("reads the YAML file named by RAGLINE_CONFIG, then lets RAGLINE_<SECTION>_<KEY>, PORT, HOST and DATA_DIR override it", async () => {
    const file = join(directory, "custom.yaml");
    await writeFile(file, "retrieval:\n  minScore: 0.2\n  topK: 3\nchunking:\n  size: 300\n");
    const { config, filePath } = loadConfig({
      environment: {
        RAGLINE_CONFIG: file,
        RAGLINE_RETRIEVAL_MIN_SCORE: "0.3",
        RAGLINE_UPLOAD_MAX_BYTES: "1000",
        PORT: "9999",
        HOST: "0.0.0.0",
        DATA_DIR: "/tmp/x",
      },
      cwd: directory,
    });
    expect(filePath).toBe(file);
    expect(config.retrieval).toMatchObject({ minScore: 0.3, topK: 3 });
    expect(config.chunking.size).toBe(300);
    expect(config.upload.maxBytes).toBe(1000);
    expect(config.server).toMatchObject({ port: 9999, host: "0.0.0.0", dataDir: "/tmp/x" });
  });

  it("picks up ./ragline.config.yaml when RAGLINE_CONFIG is not set", async () => {
    await writeFile(join(directory, "ragline.config.yaml"), "retrieval:\n  onNoContext: fallback\n");
    expect(loadConfig({ environment: {}, cwd: directory }).config.retrieval.onNoContext).toBe("fallback");
  });

  it("names the key, the reason and the source of an invalid value", () => {
    expect(() => loadConfig({ environment: { RAGLINE_RETRIEVAL_MIN_SCORE: "7" }, cwd: directory })).toThrow(
      /retrieval\.minScore: .*<=1.*RAGLINE_RETRIEVAL_MIN_SCORE/,
    );
    expect(() => loadConfig({ environment: { PORT: "http" }, cwd: directory })).toThrow(ConfigError);
    expect(() => loadConfig({ environment: { RAGLINE_CHUNKING_OVERLAP: "500", RAGLINE_CHUNKING_SIZE: "100" }, cwd: directory })).toThrow(/chunking\.overlap/);
  });

  it("refuses unknown keys in the file and unknown RAGLINE_ variables instead of ignoring a typo", async () => {
    expect(() => loadConfig({ environment: { RAGLINE_RETRIEVAL_MINSCORE: "0.2" }, cwd: directory })).toThrow(
      /unknown environment variable RAGLINE_RETRIEVAL_MINSCORE/,
    );
    await writeFile(join(directory, "ragline.config.yaml"), "retrieval:\n  min_score: 0.2\n");
    expect(() => loadConfig({ environment: {}, cwd: directory })).toThrow(/retrieval.*min_score/);
  });

  it("resolves store.provider: explicit, or qdrant when only a Qdrant URL is set, else lancedb", async () => {
    const provider = (environment: Record<string, string>) => loadConfig({ environment, cwd: directory }).config.store.provider;
    expect(provider({})).toBe("lancedb");
    expect(provider({ QDRANT_URL: "http://127.0.0.1:6333" })).toBe("qdrant");
    expect(provider({ RAGLINE_QDRANT_URL: "http://127.0.0.1:6333" })).toBe("qdrant");
    expect(provider({ RAGLINE_STORE_PROVIDER: "qdrant", QDRANT_URL: "http://127.0.0.1:6333" })).toBe("qdrant");
    expect(provider({ RAGLINE_STORE_PROVIDER: "lancedb" })).toBe("lancedb");
    await writeFile(join(directory, "ragline.config.yaml"), "store:\n  provider: qdrant\nqdrant:\n  url: http://qdrant:6333\n");
    expect(provider({})).toBe("qdrant");
    expect(() => provider({ RAGLINE_STORE_PROVIDER: "chroma" })).toThrow(/store\.provider: .*"lancedb"\|"qdrant"/);
  });

  it("refuses contradictory store settings with one line naming both keys and where each was set", async () => {
    const message = (environment: Record<string, string>) => {
      try {
        loadConfig({ environment, cwd: directory });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error("expected a ConfigError");
    };
    const lancedbWithUrl = message({ RAGLINE_STORE_PROVIDER: "lancedb", QDRANT_URL: "http://127.0.0.1:6333" });
    expect(lancedbWithUrl).toBe(
      "Invalid configuration: store.provider: is lancedb, but qdrant.url (QDRANT_URL) is set; unset qdrant.url or set store.provider to qdrant (from RAGLINE_STORE_PROVIDER; qdrant.url from QDRANT_URL)",
    );
    const qdrantWithoutUrl = message({ RAGLINE_STORE_PROVIDER: "qdrant" });
    expect(qdrantWithoutUrl).not.toContain("\n");
    expect(qdrantWithoutUrl).toMatch(
      /^Invalid configuration: store\.provider: is qdrant, but qdrant\.url \(QDRANT_URL\) is not set.*\(from RAGLINE_STORE_PROVIDER\)$/,
    );
    const file = join(directory, "ragline.config.yaml");
    await writeFile(file, "store:\n  provider: lancedb\nqdrant:\n  url: http://qdrant:6333\n");
    expect(message({})).toContain(`(from ${file}; qdrant.url from ${file})`);
  });

  it("reports a missing RAGLINE_CONFIG file and malformed YAML", async () => {
    expect(() => loadConfig({ environment: { RAGLINE_CONFIG: "nope.yaml" }, cwd: directory })).toThrow(/does not exist/);
    await writeFile(join(directory, "ragline.config.yaml"), "retrieval: [unclosed\n");
    expect(() => loadConfig({ environment: {}, cwd: directory })).toThrow(ConfigError);
  });
});
