import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonRequest, startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

// Bulk uploads over HTTP: multipart with a refused file among good ones, JSON bulk, NDJSON streamed, their limits, idempotency.

type Json = Record<string, any>;

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);

function multipart(files: Array<{ name: string; bytes: Uint8Array | string }>): FormData {
  const form = new FormData();
  for (const file of files) form.append("file", new Blob([file.bytes as BlobPart]), file.name);
  return form;
}

/** An NDJSON body sent chunk by chunk, with no declared length (chunked, as a streaming client sends it). */
function ndjsonStream(chunks: Array<string | (() => Promise<string>)>): RequestInit {
  const encoder = new TextEncoder();
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = chunks[next++];
      if (chunk === undefined) return controller.close();
      controller.enqueue(encoder.encode(typeof chunk === "string" ? chunk : await chunk()));
    },
  });
  return { method: "POST", headers: { "content-type": "application/x-ndjson" }, body, duplex: "half" } as RequestInit;
}

async function waitBatchDone(test: TestRuntime, batchId: string, timeoutMs = 120_000): Promise<Json> {
  return waitFor(
    async () => {
      const batch = (await (await test.app.request(`/v1/batches/${batchId}`)).json()) as Json;
      return batch.done ? batch : null;
    },
    `batch ${batchId} done`,
    timeoutMs,
    100,
  );
}

describe("bulk uploads over HTTP (embedded runtime)", () => {
  let test: TestRuntime;
  beforeAll(async () => {
    test = await startTestRuntime({ chunking: { size: 64, overlap: 8 } });
  });
  afterAll(async () => {
    await test.close();
  });

  it("multipart: a .png among text files is refused by name, the others are stored and indexed (202)", async () => {
    const files = [
      { name: "alpha.txt", bytes: "Alpha notes about the northern lighthouse keepers." },
      { name: "holiday.png", bytes: PNG },
      { name: "beta.md", bytes: "# Beta\n\nBeta notes about tidal charts and harbour pilots." },
      { name: "gamma.txt", bytes: "Gamma notes about the ferry timetable in winter." },
    ];
    const response = await test.app.request("/v1/documents", { method: "POST", body: multipart(files) });
    expect(response.status).toBe(202);
    const body = (await response.json()) as Json;
    expect(body.counts).toEqual({ accepted: 3, duplicate: 0, updated: 0, refused: 1 });
    expect(body.documents.map((item: Json) => [item.index, item.name, item.status])).toEqual([
      [0, "alpha.txt", "accepted"],
      [1, "holiday.png", "refused"],
      [2, "beta.md", "accepted"],
      [3, "gamma.txt", "accepted"],
    ]);
    const refused = body.documents[1];
    expect(refused).toMatchObject({ id: null, job_id: null, error_code: "unsupported_media_type" });
    expect(refused.reason).toMatch(/image\/png|unsupported/i);

    const batch = await waitBatchDone(test, body.batch_id);
    expect(batch).toMatchObject({ id: body.batch_id, kind: "multipart", items: 4, progress: 1, failure_count: 1 });
    expect(batch.documents).toMatchObject({ indexed: 3, failed: 0, queued: 0, processing: 0 });
    expect(batch.failures).toEqual([{ index: 1, name: "holiday.png", document_id: null, stage: "upload", reason: refused.reason }]);
    for (const item of body.documents.filter((entry: Json) => entry.status === "accepted")) {
      expect(((await (await test.app.request(item.status_url)).json()) as Json).status).toBe("indexed");
    }
  });

  it("multipart of only refused files answers the refusal's own status, naming each file", async () => {
    const response = await test.app.request("/v1/documents", {
      method: "POST",
      body: multipart([
        { name: "a.png", bytes: PNG },
        { name: "b.png", bytes: PNG },
      ]),
    });
    expect(response.status).toBe(415);
    const error = ((await response.json()) as Json).error;
    expect(error.code).toBe("unsupported_media_type");
    expect(error.details.documents.map((item: Json) => item.name)).toEqual(["a.png", "b.png"]);
    expect(error.details.batch_id).toMatch(/^batch_/);
  });

  it("JSON bulk of 1,000 documents: all accepted and indexed, then re-posted as duplicates, never copied", async () => {
    const documents = Array.from({ length: 1_000 }, (_, index) => ({
      text: `Bulk record ${index}: the harbour crane number ${index} lifts crates of kind ${index % 7}.`,
      title: `Record ${index}`,
      metadata: { shard: index % 4 },
      ...(index % 10 === 0 ? { id: `bulk-${index}` } : {}),
    }));
    const response = await test.app.request("/v1/documents", jsonRequest("POST", { documents }));
    expect(response.status).toBe(202);
    const body = (await response.json()) as Json;
    expect(body.counts).toEqual({ accepted: 1_000, duplicate: 0, updated: 0, refused: 0 });
    expect(body.documents.map((item: Json) => item.index)).toEqual(documents.map((_, index) => index));
    expect(body.documents[10].id).toBe("bulk-10");
    expect(new Set(body.documents.map((item: Json) => item.id)).size).toBe(1_000);

    const batch = await waitBatchDone(test, body.batch_id, 300_000);
    expect(batch).toMatchObject({ items: 1_000, progress: 1, failure_count: 0, documents: { indexed: 1_000 } });

    const again = await test.app.request("/v1/documents", jsonRequest("POST", { documents }));
    expect(again.status).toBe(200);
    const repeated = (await again.json()) as Json;
    expect(repeated.counts).toEqual({ accepted: 0, duplicate: 1_000, updated: 0, refused: 0 });
    expect(repeated.documents.map((item: Json) => item.id)).toEqual(body.documents.map((item: Json) => item.id));
    expect(repeated.batch_id).not.toBe(body.batch_id);
    expect(await test.runtime.deps.store.count("default", "bulk-10")).toBe(1);
  }, 600_000);

  it("JSON bulk: an invalid item is refused by its field path, the others stored; over the item limit is a 413 naming it", async () => {
    const response = await test.app.request(
      "/v1/documents",
      jsonRequest("POST", { documents: [{ text: "Valid item about seabirds nesting." }, { text: "" }, { text: "x", id: "bad id" }, "not an object"] }),
    );
    expect(response.status).toBe(202);
    const items = ((await response.json()) as Json).documents;
    expect(items.map((item: Json) => item.status)).toEqual(["accepted", "refused", "refused", "refused"]);
    expect(items[1].reason).toContain("documents.1.text");
    expect(items[2].reason).toContain("documents.2.id");
    expect(items[3].reason).toContain("documents.3");

    const tooMany = await test.app.request(
      "/v1/documents",
      jsonRequest("POST", { documents: Array.from({ length: 1_001 }, (_, index) => ({ text: `t${index}` })) }),
    );
    expect(tooMany.status).toBe(413);
    const error = ((await tooMany.json()) as Json).error;
    expect(error).toMatchObject({ code: "payload_too_large", details: { max_documents: 1_000, documents: 1_001 } });
    expect(error.message).toContain("upload.maxDocumentsPerRequest");

    const notList = await test.app.request("/v1/documents", jsonRequest("POST", { documents: { text: "x" } }));
    expect(notList.status).toBe(400);
    expect(((await notList.json()) as Json).error.details.issues[0].path).toBe("documents");
  });

  it("NDJSON: items are stored as the body streams in; a line that is not JSON is refused with its line number", async () => {
    const firstText = "Streamed item one: the lock keeper opens the gates at noon.";
    let firstStoredBeforeRest = false;
    const response = await test.app.request(
      "/v1/documents",
      ndjsonStream([
        `${JSON.stringify({ text: firstText, source: "one.txt", metadata: { via: "ndjson" } })}\n`,
        async () => {
          // The rest is only sent once the first item is stored: the upload is read line by line, not buffered.
          await waitFor(async () => {
            const documents = (await (await test.app.request("/v1/documents?limit=100")).json()) as Json;
            return documents.documents.some((document: Json) => document.source === "one.txt") || null;
          }, "first NDJSON item stored");
          firstStoredBeforeRest = true;
          return "{not json}\n\n";
        },
        `${JSON.stringify({ text: "Streamed item three: barges wait for the tide." })}\r\n`,
        `${JSON.stringify({ text: "" })}\n`,
        JSON.stringify({ text: "Streamed item five, with no newline at the end." }),
      ]),
    );
    expect(firstStoredBeforeRest).toBe(true);
    expect(response.status).toBe(202);
    const body = (await response.json()) as Json;
    expect(body.documents.map((item: Json) => [item.index, item.line, item.status])).toEqual([
      [0, 1, "accepted"],
      [1, 2, "refused"],
      [2, 4, "accepted"],
      [3, 5, "refused"],
      [4, 6, "accepted"],
    ]);
    expect(body.documents[1].reason).toMatch(/^line 2: .*not valid JSON/);
    expect(body.documents[3].reason).toMatch(/^line 5: .*text/);
    const batch = await waitBatchDone(test, body.batch_id);
    expect(batch).toMatchObject({ kind: "ndjson", items: 5, counts: { accepted: 3, refused: 2 }, documents: { indexed: 3 } });
    expect(batch.failures.map((failure: Json) => failure.reason)).toEqual([body.documents[1].reason, body.documents[3].reason]);
  });
});

describe("NDJSON limits while streaming", () => {
  let test: TestRuntime;
  beforeAll(async () => {
    test = await startTestRuntime({ upload: { maxBytes: 4_096, maxDocumentsPerRequest: 3 } });
  });
  afterAll(async () => {
    await test.close();
  });

  it("stops at the body limit with a 413 that names the limit and the batch holding the items before it", async () => {
    const line = (index: number) => `${JSON.stringify({ text: `Limit test line ${index} ${"padding ".repeat(200)}` })}\n`;
    let pulled = 0;
    const chunks = Array.from({ length: 50 }, (_, index) => () => {
      pulled += 1;
      return Promise.resolve(line(index));
    });
    const response = await test.app.request("/v1/documents", ndjsonStream(chunks));
    expect(response.status).toBe(413);
    const error = ((await response.json()) as Json).error;
    expect(error).toMatchObject({ code: "payload_too_large", details: { max_bytes: 4_096 } });
    expect(pulled).toBeLessThan(50);
    const stored = error.details.documents.filter((item: Json) => item.status === "accepted");
    expect(stored.length).toBeGreaterThan(0);
    const batch = (await (await test.app.request(`/v1/batches/${error.details.batch_id}`)).json()) as Json;
    expect(batch).toMatchObject({ received_at: null, done: false, counts: { accepted: stored.length } });
  });

  it("refuses items past upload.maxDocumentsPerRequest with a 413 naming the limit and the line", async () => {
    const lines = Array.from({ length: 5 }, (_, index) => `${JSON.stringify({ text: `Counted line ${index}` })}\n`);
    const response = await test.app.request("/v1/documents", ndjsonStream(lines));
    expect(response.status).toBe(413);
    const error = ((await response.json()) as Json).error;
    expect(error.details).toMatchObject({ max_documents: 3, line: 4 });
    expect(error.details.documents).toHaveLength(3);
  });

  it("refuses a declared length over the limit before reading", async () => {
    const response = await test.app.request("/v1/documents", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson", "content-length": "100000" },
      body: "{}",
    });
    expect(response.status).toBe(413);
  });
});
