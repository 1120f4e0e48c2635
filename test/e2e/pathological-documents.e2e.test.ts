import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deepPageTreePdf, flateBombPdf, manyPagesPdf } from "../helpers/pdf-documents.js";
import { startService, type ServiceProcess } from "../helpers/service-process.js";
import { waitFor } from "../helpers/wait-for.js";

// A corpus of pathological documents, generated here: each ends `indexed`, or `failed` with a reason,
// while every /healthz probe is answered within 2 s (liveness, not speed: speed is bench:parse's).

const CASES: Array<{ name: string; bytes: () => Buffer; expect?: RegExp }> = [
  { name: "no-whitespace.txt", bytes: () => Buffer.from("a".repeat(2_000_000)) },
  { name: "heading-then-spaces.md", bytes: () => Buffer.from(`# Title${" ".repeat(80_000)}\n\nA body sentence after the spaces.\n`) },
  { name: "nested-divs.html", bytes: () => Buffer.from(`<html><body>${"<div>".repeat(100_000)}Deep text.${"</div>".repeat(100_000)}</body></html>`) },
  { name: "inline-tags.html", bytes: () => Buffer.from(`<html><body><p>${"<b>x</b> ".repeat(160_000)}</p></body></html>`) },
  { name: "brackets.md", bytes: () => Buffer.from(`# Brackets\n\n${"[".repeat(65_536)}\n\n${"*a".repeat(50_000)}\n\n${"`".repeat(50_000)}\n`) },
  { name: "emphasis-redos.md", bytes: () => Buffer.from(`# Emphasis\n\n${"_a ".repeat(40_000)}\n\n${"![](".repeat(20_000)}\n\n${"> ".repeat(30_000)}x\n`) },
  { name: "ten-thousand-pages.pdf", bytes: () => manyPagesPdf(10_000), expect: /ingest\.maxPages/ },
  { name: "flate-bomb.pdf", bytes: () => flateBombPdf(100_000_000) },
  { name: "deep-page-tree.pdf", bytes: () => deepPageTreePdf(5_000) },
];

describe("pathological documents (real process, embedded mode)", () => {
  let service: ServiceProcess | undefined;
  let dataDir = "";
  afterAll(async () => {
    await service?.kill();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("each ends indexed or failed with its reason, and /healthz answers within 2 s throughout", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "ragline-hostile-docs-"));
    service = await startService({ DATA_DIR: dataDir, RAGLINE_INGEST_MAX_PAGES: "1000", RAGLINE_INGEST_PARSE_TIMEOUT_MS: "20000" });
    const url = service.url;
    let probing = true;
    let slowest = 0;
    let probes = 0;
    const prober = (async () => {
      while (probing) {
        const started = performance.now();
        const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
        expect(response.status).toBe(200);
        slowest = Math.max(slowest, performance.now() - started);
        probes++;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    const outcomes: Record<string, { status: string; error: string | null }> = {};
    try {
      for (const testCase of CASES) {
        const form = new FormData();
        form.append("file", new Blob([new Uint8Array(testCase.bytes())]), testCase.name);
        const response = await fetch(`${url}/v1/documents`, { method: "POST", body: form });
        const body = (await response.json()) as { documents: Array<{ status: string; status_url?: string; reason?: string }> };
        const item = body.documents[0]!;
        if (item.status === "refused") {
          // Refused at upload (e.g. not a format we take) is an outcome with a reason too.
          outcomes[testCase.name] = { status: "refused", error: item.reason ?? null };
          continue;
        }
        const settled = await waitFor(
          async () => {
            const state = (await (await fetch(`${url}${item.status_url}`)).json()) as { status: string; error: string | null };
            return state.status === "indexed" || state.status === "failed" ? state : null;
          },
          `${testCase.name} settled`,
          90_000,
          200,
        );
        outcomes[testCase.name] = { status: settled.status, error: settled.error };
      }
    } finally {
      probing = false;
      await prober;
    }

    for (const testCase of CASES) {
      const outcome = outcomes[testCase.name]!;
      expect(["indexed", "failed", "refused"], `${testCase.name}: ${JSON.stringify(outcome)}`).toContain(outcome.status);
      if (outcome.status !== "indexed") expect(outcome.error, testCase.name).toMatch(/\w/);
      if (testCase.expect) expect(outcome.error, testCase.name).toMatch(testCase.expect);
    }
    console.info(`pathological documents: ${JSON.stringify(outcomes)}; ${probes} /healthz probes, slowest ${Math.round(slowest)} ms`);
    expect(probes).toBeGreaterThan(5);
    expect(slowest).toBeLessThan(2_000);
    // Still serving: an ordinary document indexes after all of them.
    const ordinary = await fetch(`${url}/v1/documents/after`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "An ordinary note written after the hostile ones." }),
    });
    expect(ordinary.status).toBe(202);
    await waitFor(async () => ((await (await fetch(`${url}/v1/documents/after`)).json()) as { status: string }).status === "indexed", "the ordinary document");
  }, 600_000);
});
