import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { jsonRequest, startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

const TEXTS = Array.from({ length: 6 }, (_, index) =>
  Array.from(
    { length: 4 },
    (_, paragraph) =>
      `Survey ${index}, section ${paragraph}: the ${["harbour", "orchard", "glacier"][(index + paragraph) % 3]} crew logged ${index * 11 + paragraph} readings at dawn.`,
  ).join("\n\n"),
);

async function ingest(test: TestRuntime, prefix: string): Promise<number> {
  for (const [index, text] of TEXTS.entries()) {
    const response = await test.app.request(`/v1/documents/${prefix}-${index}`, jsonRequest("PUT", { text, title: `${prefix} ${index}` }));
    expect(response.status).toBe(202);
  }
  const documents = await waitFor(async () => {
    const all = await Promise.all(
      TEXTS.map(async (_, index) => (await (await test.app.request(`/v1/documents/${prefix}-${index}`)).json()) as { status: string; chunk_count: number }),
    );
    return all.every((document) => document.status === "indexed" || document.status === "failed") ? all : null;
  }, `${prefix} documents indexed`);
  expect(documents.map((document) => document.status)).toEqual(TEXTS.map(() => "indexed"));
  return documents.reduce((total, document) => total + document.chunk_count, 0);
}

describe("embedding cache across a restart (embedded mode, real runtime)", () => {
  let dataDir: string | undefined;
  let test: TestRuntime | undefined;
  afterAll(async () => {
    await test?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("re-ingesting the same texts after a restart on the same DATA_DIR makes zero embedder calls", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "ragline-cache-restart-"));
    const overrides = { chunking: { size: 32, overlap: 4 } };
    test = await startTestRuntime(overrides, { dataDir });
    const chunks = await ingest(test, "first");
    expect(chunks).toBeGreaterThan(TEXTS.length);
    expect(test.embedder.calls).toBeGreaterThan(0);
    await test.close();

    test = await startTestRuntime(overrides, { dataDir });
    expect(await ingest(test, "again")).toBe(chunks);
    expect(test.embedder.calls).toBe(0);
    expect(test.embedder.texts).toEqual([]);
  });
});
