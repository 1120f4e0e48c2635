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

  it("reports a missing RAGLINE_CONFIG file and malformed YAML", async () => {
    expect(() => loadConfig({ environment: { RAGLINE_CONFIG: "nope.yaml" }, cwd: directory })).toThrow(/does not exist/);
    await writeFile(join(directory, "ragline.config.yaml"), "retrieval: [unclosed\n");
    expect(() => loadConfig({ environment: {}, cwd: directory })).toThrow(ConfigError);
  });
});
