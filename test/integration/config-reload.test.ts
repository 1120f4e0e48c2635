import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.js";
import { ReloadableRetrievalSettings } from "../../src/config/reloadable-settings.js";
import { jsonRequest, startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

describe("retrieval thresholds reload without a restart", () => {
  let test: TestRuntime | undefined;
  let settings: ReloadableRetrievalSettings | undefined;
  let directory: string | undefined;
  afterEach(async () => {
    settings?.stop();
    await test?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  const hitsFor = async (question: string) => {
    const response = await test!.app.request("/v1/query", jsonRequest("POST", { question, mode: "retrieve" }));
    return ((await response.json()) as { retrieval: { hits: unknown[] } }).retrieval.hits.length;
  };

  it("applies an edited minScore to the next query, on file change and on SIGHUP, and ignores an invalid edit", async () => {
    directory = await mkdtemp(join(tmpdir(), "ragline-reload-"));
    const file = join(directory, "ragline.config.yaml");
    await writeFile(file, "retrieval:\n  minScore: 0.05\n");
    const environment = { RAGLINE_CONFIG: file };
    settings = new ReloadableRetrievalSettings(loadConfig({ environment }), { environment, debounceMs: 10 });
    settings.start();
    test = await startTestRuntime({}, { retrievalSettings: settings });

    await test.app.request("/v1/documents/kiwi", jsonRequest("PUT", { text: "The kiwi is a flightless bird native to New Zealand." }));
    await waitFor(async () => ((await (await test!.app.request("/v1/documents/kiwi")).json()) as { status: string }).status === "indexed", "indexed");
    const question = "Which flightless bird lives in New Zealand?";
    expect(await hitsFor(question)).toBe(1);

    await writeFile(file, "retrieval:\n  minScore: 0.99\n");
    await waitFor(async () => settings!.current().minScore === 0.99, "file change to be applied", 5_000);
    expect(await hitsFor(question)).toBe(0);

    await writeFile(file, "retrieval:\n  minScore: not-a-number\n");
    process.emit("SIGHUP");
    expect(settings.current().minScore).toBe(0.99);

    await writeFile(file, "retrieval:\n  minScore: 0.05\n");
    process.emit("SIGHUP");
    expect(settings.current().minScore).toBe(0.05);
    expect(await hitsFor(question)).toBe(1);
  });

  it("picks up a config file created after start in the working directory", async () => {
    directory = await mkdtemp(join(tmpdir(), "ragline-reload-"));
    const options = { environment: {}, cwd: directory, debounceMs: 10 };
    const source = loadConfig(options);
    expect(source.filePath).toBeNull();
    settings = new ReloadableRetrievalSettings(source, options);
    settings.start();
    const defaultMinScore = settings.current().minScore;
    expect(defaultMinScore).not.toBe(0.42);

    await writeFile(join(directory, "ragline.config.yaml"), "retrieval:\n  minScore: 0.42\n");
    await waitFor(async () => settings!.current().minScore === 0.42, "created file to be applied", 5_000);
  });

  it("keeps watching after reloads, whether an editor renames over the file or a symlink is swapped", async () => {
    directory = await mkdtemp(join(tmpdir(), "ragline-reload-"));
    const file = join(directory, "ragline.config.yaml");
    await writeFile(file, "retrieval:\n  minScore: 0.1\n");
    const environment = { RAGLINE_CONFIG: file };
    settings = new ReloadableRetrievalSettings(loadConfig({ environment }), { environment, debounceMs: 10 });
    settings.start();

    for (const minScore of [0.2, 0.3, 0.4]) {
      const temporary = join(directory, `.ragline.config.yaml.${minScore}.swp`);
      await writeFile(temporary, `retrieval:\n  minScore: ${minScore}\n`);
      await rename(temporary, file);
      await waitFor(async () => settings!.current().minScore === minScore, `rename to ${minScore} to be applied`, 5_000);
    }

    // Kubernetes mounts a ConfigMap as file -> ..data/file and swaps ..data atomically.
    await rm(file);
    for (const version of ["v1", "v2"]) await mkdir(join(directory, version));
    await writeFile(join(directory, "v1", "ragline.config.yaml"), "retrieval:\n  minScore: 0.5\n");
    await writeFile(join(directory, "v2", "ragline.config.yaml"), "retrieval:\n  minScore: 0.6\n");
    await symlink("v1", join(directory, "..data"));
    await symlink(join("..data", "ragline.config.yaml"), file);
    await waitFor(async () => settings!.current().minScore === 0.5, "symlinked file to be applied", 5_000);
    await symlink("v2", join(directory, "..data_next"));
    await rename(join(directory, "..data_next"), join(directory, "..data"));
    await waitFor(async () => settings!.current().minScore === 0.6, "symlink swap to be applied", 5_000);
  });
});
