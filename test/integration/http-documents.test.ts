import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jsonRequest, startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";
import { blobKeyFor } from "../../src/use-cases/submit-document.js";

const fixture = (name: string) => readFile(new URL(`../fixtures/${name}`, import.meta.url));

function multipart(files: Array<{ name: string; bytes: Uint8Array | string; type?: string }>, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const file of files) form.append("file", new Blob([file.bytes as BlobPart], { type: file.type ?? "application/octet-stream" }), file.name);
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  return form;
}

describe("documents over HTTP (createApp with the embedded adapters)", () => {
  let test: TestRuntime;
  beforeEach(async () => {
    test = await startTestRuntime({ chunking: { size: 64, overlap: 8 } });
  });
  afterEach(async () => {
    await test.close();
  });

  const getDocument = async (id: string) => (await test.app.request(`/v1/documents/${id}`)).json() as Promise<Record<string, unknown>>;
  const waitIndexed = (id: string) =>
    waitFor(async () => {
      const document = await getDocument(id);
      return document.status === "indexed" || document.status === "failed" ? document : null;
    }, `document ${id} to finish`);

  it("accepts JSON text with 202, indexes it off the request path, and reports a duplicate with 200", async () => {
    const first = await test.app.request(
      "/v1/documents",
      jsonRequest("POST", { text: "Lanterns are lit at dusk in the old harbour.", title: "Harbour", metadata: { team: "ops" } }),
    );
    expect(first.status).toBe(202);
    const [accepted] = ((await first.json()) as { documents: Array<Record<string, unknown>> }).documents;
    expect(accepted).toMatchObject({ index: 0, status: "accepted", document_status: "queued", duplicate: false, reason: null });
    const indexed = await waitIndexed(accepted!.id as string);
    expect(indexed).toMatchObject({ status: "indexed", chunk_count: 1, title: "Harbour", metadata: { team: "ops" }, media_type: "text/plain" });
    expect(indexed.job).toMatchObject({ id: accepted!.job_id, state: "completed", attempts: 1, progress: 1 });

    const callsBefore = test.embedder.calls;
    const again = await test.app.request("/v1/documents", jsonRequest("POST", { text: "Lanterns are lit at dusk in the old harbour.\n" }));
    expect(again.status).toBe(200);
    const [duplicate] = ((await again.json()) as { documents: Array<Record<string, unknown>> }).documents;
    expect(duplicate).toMatchObject({ id: accepted!.id, duplicate: true, status: "duplicate", document_status: "indexed" });
    expect(test.embedder.calls).toBe(callsBefore);
    expect(await test.runtime.deps.store.count("default", accepted!.id as string)).toBe(1);
  });

  it("takes several files in one multipart request and sniffs each type from its bytes", async () => {
    const form = multipart([
      { name: "notes.txt", bytes: await fixture("sample.md") },
      { name: "page.md", bytes: await fixture("sample.html") },
      { name: "report.bin", bytes: await fixture("sample.pdf") },
    ]);
    const response = await test.app.request("/v1/documents", { method: "POST", body: form });
    expect(response.status).toBe(202);
    const { documents } = (await response.json()) as { documents: Array<{ id: string }> };
    expect(documents).toHaveLength(3);
    const finished = await Promise.all(documents.map((document) => waitIndexed(document.id)));
    expect(finished.map((document) => document.media_type)).toEqual(["text/markdown", "text/html", "application/pdf"]);
    expect(finished.every((document) => document.status === "indexed" && (document.chunk_count as number) > 0)).toBe(true);
  });

  it("titles an uploaded page with its own <title> when the upload gives none, and keeps a given title", async () => {
    const untitled = await test.app.request("/v1/documents/docs-page", {
      method: "PUT",
      body: multipart([{ name: "docs-page.html", bytes: await fixture("docs-page.html") }]),
    });
    expect(untitled.status).toBe(202);
    const titled = await test.app.request("/v1/documents/docs-page-titled", {
      method: "PUT",
      body: multipart([{ name: "docs-page.html", bytes: await fixture("docs-page.html") }], { title: "Our streams notes" }),
    });
    expect(titled.status).toBe(202);
    await waitIndexed("docs-page");
    await waitIndexed("docs-page-titled");
    expect(await getDocument("docs-page")).toMatchObject({ title: "Streams | Quarrel Docs", source: "docs-page.html" });
    expect(await getDocument("docs-page-titled")).toMatchObject({ title: "Our streams notes" });
  });

  it("lists documents page by page without gaps or repeats", async () => {
    for (let index = 0; index < 5; index += 1) {
      expect((await test.app.request("/v1/documents", jsonRequest("POST", { text: `Document number ${index} about topic ${index}.` }))).status).toBe(202);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : "?limit=2";
      const page = (await (await test.app.request(`/v1/documents${query}`)).json()) as { documents: Array<{ id: string }>; next_cursor: string | null };
      expect(page.documents.length).toBeLessThanOrEqual(2);
      seen.push(...page.documents.map((document) => document.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it("replaces a document with PUT, removing the chunks the old revision had beyond the new end", async () => {
    const long = Array.from({ length: 12 }, (_, index) => `Paragraph ${index} describes the orchard and apple variety number ${index} in some detail.`).join(
      "\n\n",
    );
    const created = await test.app.request("/v1/documents/orchard-guide", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: long }),
    });
    expect(created.status).toBe(202);
    const first = await waitIndexed("orchard-guide");
    expect(first.chunk_count as number).toBeGreaterThan(1);

    const replaced = await test.app.request("/v1/documents/orchard-guide", jsonRequest("PUT", { text: "A short replacement about pears." }));
    expect(replaced.status).toBe(202);
    await waitFor(
      async () => ((await getDocument("orchard-guide")).revision === 2 && (await getDocument("orchard-guide")).status === "indexed" ? true : null),
      "revision 2",
    );
    expect(await getDocument("orchard-guide")).toMatchObject({ chunk_count: 1, status: "indexed" });
    expect(await test.runtime.deps.store.count("default", "orchard-guide")).toBe(1);
  });

  /** Every blob file the embedded blob store holds (one `.bin` per key); uploads up to `ingest.inlineBlobMaxBytes` are rows instead, so these small texts leave none. */
  const storedBlobs = async () => {
    const entries = await readdir(join(test.dataDir, "blobs"), { recursive: true }).catch(() => [] as string[]);
    return entries.filter((entry) => entry.endsWith(".bin"));
  };
  const blob = (id: string, revision: number) => test.runtime.deps.blobs.get(blobKeyFor("default", id, revision));
  const waitRevision = (id: string, revision: number, status: string) =>
    waitFor(async () => {
      const document = await getDocument(id);
      return document.revision === revision && document.status === status ? document : null;
    }, `${id} revision ${revision} ${status}`);

  it("keeps only the current revision's blob: a replacement deletes the superseded one, DELETE the last", async () => {
    await test.app.request("/v1/documents/almanac", jsonRequest("PUT", { text: "Frost comes early to the northern valleys." }));
    await waitRevision("almanac", 1, "indexed");
    expect(await blob("almanac", 1)).not.toBeNull();
    expect(await storedBlobs()).toEqual([]);

    expect((await test.app.request("/v1/documents/almanac", jsonRequest("PUT", { text: "Frost comes late to the southern coast." }))).status).toBe(202);
    await waitRevision("almanac", 2, "indexed");
    expect(await blob("almanac", 1)).toBeNull();
    expect(new TextDecoder().decode((await blob("almanac", 2))!)).toBe("Frost comes late to the southern coast.");

    // The same content again is a duplicate: no new revision, the blob stays.
    expect((await test.app.request("/v1/documents/almanac", jsonRequest("PUT", { text: "Frost comes late to the southern coast." }))).status).toBe(200);
    expect(await blob("almanac", 2)).not.toBeNull();

    expect((await test.app.request("/v1/documents/almanac", { method: "DELETE" })).status).toBe(204);
    expect(await blob("almanac", 2)).toBeNull();
    expect(await storedBlobs()).toEqual([]);
  });

  it("retries a failed document from its kept blob; replacing it deletes that blob and its old job still retries cleanly", async () => {
    const corrupt = new TextEncoder().encode("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ngarbage garbage\n%%EOF");
    expect((await test.app.request("/v1/documents/flaky", { method: "PUT", body: multipart([{ name: "flaky.pdf", bytes: corrupt }]) })).status).toBe(202);
    const failed = await waitRevision("flaky", 1, "failed");
    const oldJobId = failed.job_id as string;
    expect(await blob("flaky", 1)).not.toBeNull();

    // The current revision's dead letter runs again from the blob that was kept, and fails again for the same reason.
    const retried = await test.app.request(`/v1/jobs/${oldJobId}/retry`, { method: "POST" });
    expect(retried.status).toBe(202);
    expect(await retried.json()).toMatchObject({ id: oldJobId, state: "queued" });
    await waitFor(async () => {
      const job = (await (await test.app.request(`/v1/jobs/${oldJobId}`)).json()) as { state: string; attempts: number };
      return job.state === "failed" ? job : null;
    }, "the retried job to fail again");
    expect(await getDocument("flaky")).toMatchObject({ status: "failed", revision: 1, error: expect.stringMatching(/pdf/i) });

    expect((await test.app.request("/v1/documents/flaky", jsonRequest("PUT", { text: "Now a plain text about reliable kites." }))).status).toBe(202);
    await waitRevision("flaky", 2, "indexed");
    expect(await blob("flaky", 1)).toBeNull();
    expect(await blob("flaky", 2)).not.toBeNull();

    // The superseded revision's dead letter completes without its blob and without touching the document.
    expect((await test.app.request(`/v1/jobs/${oldJobId}/retry`, { method: "POST" })).status).toBe(202);
    await waitFor(
      async () => ((await (await test.app.request(`/v1/jobs/${oldJobId}`)).json()) as { state: string }).state === "completed",
      "the superseded job to complete",
    );
    expect(await getDocument("flaky")).toMatchObject({ status: "indexed", revision: 2, error: null, chunk_count: 1 });
    const deadLetters = (await (await test.app.request("/v1/jobs?state=failed")).json()) as { jobs: Array<{ id: string }> };
    expect(deadLetters.jobs.map((job) => job.id)).not.toContain(oldJobId);
    expect((await test.app.request(`/v1/jobs/${oldJobId}/retry`, { method: "POST" })).status).toBe(409);
  });

  it("re-embeds only the chunks whose text changed when a document is re-ingested", async () => {
    const paragraphs = Array.from(
      { length: 6 },
      (_, index) => `Section ${index}: the lighthouse keeper logged ships, storms and tides on day ${index} of the season.`,
    );
    await test.app.request("/v1/documents/logbook", jsonRequest("PUT", { text: paragraphs.join("\n\n") }));
    const first = await waitIndexed("logbook");
    const chunkCount = first.chunk_count as number;
    expect(chunkCount).toBeGreaterThan(2);

    test.embedder.texts = [];
    paragraphs[3] = "Section 3: a completely different entry about a whale sighting near the reef.";
    await test.app.request("/v1/documents/logbook", jsonRequest("PUT", { text: paragraphs.join("\n\n") }));
    await waitFor(
      async () => ((await getDocument("logbook")).revision === 2 && (await getDocument("logbook")).status === "indexed" ? true : null),
      "revision 2",
    );
    expect(test.embedder.texts.length).toBeGreaterThan(0);
    expect(test.embedder.texts.length).toBeLessThan(chunkCount);
    expect(test.embedder.texts.every((text) => text.includes("whale"))).toBe(true);
  });

  it("deletes a document and all its chunks from search", async () => {
    await test.app.request("/v1/documents/to-delete", jsonRequest("PUT", { text: "Quokkas live on Rottnest Island." }));
    await waitIndexed("to-delete");
    const deleted = await test.app.request("/v1/documents/to-delete", { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect((await test.app.request("/v1/documents/to-delete")).status).toBe(404);
    expect(await test.runtime.deps.store.count("default", "to-delete")).toBe(0);
    const query = await test.app.request("/v1/query", jsonRequest("POST", { question: "Where do quokkas live?", mode: "retrieve", min_score: 0 }));
    expect(((await query.json()) as { retrieval: { hits: unknown[] } }).retrieval.hits).toEqual([]);
    expect((await test.app.request("/v1/documents/to-delete", { method: "DELETE" })).status).toBe(404);
  });

  it("answers bad input with a clear 4xx and the reason", async () => {
    const malformed = await test.app.request("/v1/documents", { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe("validation_error");

    const invalid = await test.app.request("/v1/documents", jsonRequest("POST", { text: "", metadata: { nested: { not: "allowed" } } }));
    expect(invalid.status).toBe(400);
    const paths = ((await invalid.json()) as { error: { details: { issues: Array<{ path: string }> } } }).error.details.issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(["text", "metadata.nested"]));

    expect((await test.app.request("/v1/documents/nope")).status).toBe(404);
    expect((await test.app.request("/v1/documents/bad%20id", jsonRequest("PUT", { text: "x" }))).status).toBe(400);
    expect((await test.app.request("/v1/documents", { method: "POST", headers: { "content-type": "text/csv" }, body: "a,b" })).status).toBe(415);
    const noFile = await test.app.request("/v1/documents", { method: "POST", body: multipart([], { title: "t" }) });
    expect(noFile.status).toBe(400);
  });

  it("refuses unsupported types (image, executable) with 415, whatever the file name says", async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
    const elf = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0, 1, 0, 0, 0]);
    for (const [name, bytes] of [
      ["photo.txt", png],
      ["tool.md", elf],
    ] as const) {
      const response = await test.app.request("/v1/documents", { method: "POST", body: multipart([{ name, bytes }]) });
      expect(response.status).toBe(415);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unsupported_media_type");
    }
  });

  it("marks a corrupt or encrypted PDF failed with the reason and stays healthy", async () => {
    const corrupt = new TextEncoder().encode("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ngarbage garbage\n%%EOF");
    const response = await test.app.request("/v1/documents", {
      method: "POST",
      body: multipart([
        { name: "broken.pdf", bytes: corrupt },
        { name: "locked.pdf", bytes: await fixture("encrypted.pdf") },
      ]),
    });
    expect(response.status).toBe(202);
    const { documents } = (await response.json()) as { documents: Array<{ id: string; job_id: string }> };
    const [broken, locked] = await Promise.all(documents.map((document) => waitIndexed(document.id)));
    expect(broken).toMatchObject({ status: "failed" });
    expect(String(broken!.error)).toMatch(/pdf/i);
    expect(locked).toMatchObject({ status: "failed" });
    expect(String(locked!.error)).toMatch(/encrypt/i);
    const job = (await (await test.app.request(`/v1/jobs/${documents[1]!.job_id}`)).json()) as Record<string, unknown>;
    expect(job).toMatchObject({ state: "failed", attempts: 1 });
    const failed = (await (await test.app.request("/v1/jobs?state=failed")).json()) as { jobs: Array<{ id: string }> };
    expect(failed.jobs.map((entry) => entry.id)).toEqual(expect.arrayContaining(documents.map((document) => document.job_id)));
    expect((await test.app.request("/healthz")).status).toBe(200);
    expect((await test.app.request("/readyz")).status).toBe(200);
  });
});

describe("upload size limit", () => {
  it("answers 413 from the Content-Length header before reading the body", async () => {
    const test = await startTestRuntime({ upload: { maxBytes: 1024 } });
    try {
      let pulled = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled += 1;
          if (pulled > 100) controller.close();
          else controller.enqueue(new Uint8Array(1024));
        },
      });
      const response = await test.app.request("/v1/documents", {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(100 * 1024) },
        body,
        duplex: "half",
      } as RequestInit);
      expect(response.status).toBe(413);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
      expect(pulled).toBeLessThan(3);

      const chunked = await test.app.request("/v1/documents", jsonRequest("POST", { text: "x".repeat(5000) }));
      expect(chunked.status).toBe(413);
    } finally {
      await test.close();
    }
  });
});
