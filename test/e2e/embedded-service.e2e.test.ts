import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runServiceToExit, startService, type ServiceProcess } from "../helpers/service-process.js";
import { waitFor } from "../helpers/wait-for.js";

const fixture = (name: string) => readFile(new URL(`../fixtures/${name}`, import.meta.url));

describe("the real service process (npm start semantics), embedded mode", () => {
  let dataDir: string;
  let service: ServiceProcess;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "ragline-e2e-"));
    service = await startService({ DATA_DIR: dataDir });
  });
  afterAll(async () => {
    expect(await service.stop()).toBe(0);
    await rm(dataDir, { recursive: true, force: true });
  });

  it("ingests Markdown, HTML and PDF, then cites the PDF and its page for a fact only the PDF holds", async () => {
    const form = new FormData();
    form.append("file", new Blob([await fixture("sample.md")]), "guide.md");
    form.append("file", new Blob([await fixture("sample.html")]), "page.html");
    form.append("file", new Blob([await fixture("sample.pdf")]), "report.pdf");
    const upload = await fetch(`${service.url}/v1/documents`, { method: "POST", body: form });
    expect(upload.status).toBe(202);
    const { documents } = (await upload.json()) as { documents: Array<{ id: string; status_url: string }> };
    expect(documents).toHaveLength(3);
    for (const document of documents) {
      await waitFor(async () => {
        const state = (await (await fetch(`${service.url}${document.status_url}`)).json()) as { status: string };
        if (state.status === "failed") throw new Error(`ingest failed: ${JSON.stringify(state)}`);
        return state.status === "indexed";
      }, `${document.id} indexed`);
    }
    const pdfId = documents[2]!.id;

    const response = await fetch(`${service.url}/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question: "When was the Zorblax reactor commissioned?" }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      answer: string;
      citations: Array<{ n: number; document_id: string; chunk_id: string; snippet: string }>;
      retrieval: { status: string; hits: Array<{ chunk_id: string; document_id: string; metadata: { page: number | null; source: string } }> };
    };
    expect(body.retrieval.status).toBe("ok");
    expect(body.answer).toContain("1987");
    const first = body.citations[0]!;
    expect(first.document_id).toBe(pdfId);
    expect(first.snippet).toContain("Zorblax");
    const citedHit = body.retrieval.hits.find((hit) => hit.chunk_id === first.chunk_id)!;
    expect(citedHit.metadata).toMatchObject({ page: 2, source: "report.pdf" });
  });

  it("serves readiness and Prometheus metrics", async () => {
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", dependencies: { vector_store: { status: "up" } } });
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/ragline_http_requests_total\{[^}]*route="\/v1\/query"[^}]*\} \d+/);
    expect(metrics).toMatch(/ragline_chunks_indexed_total \d+/);
  });
});

describe("start-up configuration errors", () => {
  it("exits with code 1 and names the key and the reason", async () => {
    const result = await runServiceToExit({ RAGLINE_RETRIEVAL_MIN_SCORE: "2", PORT: "0" });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/retrieval\.minScore/);
    expect(result.output).toMatch(/<=1/);
  });
});

describe("a store built with another embedding model", () => {
  it("is refused at start with a conflict naming both models, never mixed", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "ragline-e2e-mismatch-"));
    try {
      const first = await startService({ DATA_DIR: dataDir, RAGLINE_EMBEDDING_DIMENSION: "512" });
      expect(await first.stop()).toBe(0);
      const result = await runServiceToExit({ DATA_DIR: dataDir, RAGLINE_EMBEDDING_DIMENSION: "256", PORT: "0" });
      expect(result.code).toBe(1);
      expect(result.output).toMatch(/Refusing to start/);
      expect(result.output).toMatch(/local-hash-v1-d512/);
      expect(result.output).toMatch(/local-hash-v1-d256/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
