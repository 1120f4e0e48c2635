import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonRequest, startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

// Following uploads over HTTP: batch progress, jobs by state, per-tenant visibility, title and metadata changes, queue gauges.

type Json = Record<string, any>;

const ALPHA = { authorization: "Bearer key-alpha-0123456789" };
const BRAVO = { authorization: "Bearer key-bravo-0123456789" };

describe("batches, jobs and document details over HTTP (two tenants)", () => {
  let test: TestRuntime;
  const request = (path: string, headers: Record<string, string>, init: RequestInit = {}) =>
    test.app.request(path, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
  const json = async (path: string, headers: Record<string, string>, init: RequestInit = {}) => (await (await request(path, headers, init)).json()) as Json;
  const post = (body: unknown, headers = ALPHA) => request("/v1/documents", headers, jsonRequest("POST", body));
  const settledDocument = (id: string, headers = ALPHA) =>
    waitFor(async () => {
      const document = await json(`/v1/documents/${id}`, headers);
      return document.status === "indexed" || document.status === "failed" ? document : null;
    }, `document ${id} settled`);
  const hitsFor = async (question: string) =>
    ((await json("/v1/query", ALPHA, jsonRequest("POST", { question, mode: "retrieve", min_score: 0 }))).retrieval.hits as Json[]) ?? [];

  beforeAll(async () => {
    test = await startTestRuntime({
      chunking: { size: 64, overlap: 8 },
      auth: {
        apiKeys: [
          { key: "key-alpha-0123456789", tenant: "alpha" },
          { key: "key-bravo-0123456789", tenant: "bravo" },
        ],
      },
    });
  });
  afterAll(async () => {
    await test.close();
  });

  it("reports a batch's progress until every document is indexed, with failures named", async () => {
    const corruptPdf = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ngarbage\n%%EOF";
    const form = new FormData();
    for (let index = 0; index < 6; index += 1)
      form.append("file", new Blob([`Progress note ${index} about canal barges and their cargo.`]), `note-${index}.txt`);
    form.append("file", new Blob([corruptPdf]), "broken.pdf");
    const upload = await request("/v1/documents", ALPHA, { method: "POST", body: form });
    expect(upload.status).toBe(202);
    const { batch_id: batchId } = (await upload.json()) as Json;

    const seen: number[] = [];
    const done = await waitFor(async () => {
      const batch = await json(`/v1/batches/${batchId}`, ALPHA);
      seen.push(batch.progress);
      return batch.done ? batch : null;
    }, "batch done");
    expect(seen.every((value, index) => index === 0 || value >= seen[index - 1]!)).toBe(true);
    expect(done).toMatchObject({ items: 7, progress: 1, counts: { accepted: 7 }, documents: { indexed: 6, failed: 1 }, failure_count: 1 });
    // Six one-line notes: one chunk each.
    expect(done.indexed_chunks).toBe(6);
    expect(done.failures).toEqual([expect.objectContaining({ index: 6, name: "broken.pdf", stage: "ingest" })]);
    expect(done.failures[0].reason).toMatch(/pdf/i);
    expect(done.received_at).not.toBeNull();

    // Another tenant cannot see the batch.
    const foreign = await request(`/v1/batches/${batchId}`, BRAVO);
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as Json).error.code).toBe("not_found");
  });

  it("lists jobs by state page by page, only the tenant's own", async () => {
    const documents = Array.from({ length: 5 }, (_, index) => ({
      text: `Paged job ${index}: lighthouse lamp number ${index} is serviced.`,
      id: `paged-${index}`,
    }));
    const upload = (await (await post({ documents })).json()) as Json;
    for (const item of upload.documents) await settledDocument(item.id);
    await post({ text: "Bravo's own document about orchards.", id: "bravo-doc" }, BRAVO);
    await settledDocument("bravo-doc", BRAVO);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/v1/jobs?state=completed&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = await json(query, ALPHA);
      expect(page.jobs.length).toBeLessThanOrEqual(2);
      expect(page.jobs.every((job: Json) => job.state === "completed")).toBe(true);
      seen.push(...page.jobs.map((job: Json) => job.document_id));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBeGreaterThan(2);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(documents.map((document) => document.id)));
    expect(seen).not.toContain("bravo-doc");

    const failed = await json("/v1/jobs?state=failed", ALPHA);
    expect(failed.jobs.map((job: Json) => job.document_id)).not.toContain("bravo-doc");
    expect(failed.jobs.every((job: Json) => job.state === "failed" && typeof job.error === "string")).toBe(true);
    const bravo = await json("/v1/jobs?state=completed", BRAVO);
    expect(bravo.jobs.map((job: Json) => job.document_id)).toEqual(["bravo-doc"]);
    expect((await json("/v1/jobs?state=queued", BRAVO)).jobs).toEqual([]);
    expect((await request("/v1/jobs?state=everything", ALPHA)).status).toBe(400);
  });

  it("an identical re-upload with a new title or metadata updates them; a replace takes the new file's name", async () => {
    const text = "Kestrels hover above the motorway verge while hunting voles.";
    const first = (await (await post({ text, title: "Birds of prey", metadata: { topic: "birds" } })).json()) as Json;
    const id = first.documents[0].id;
    await settledDocument(id);

    const retitled = await post({ text, title: "Kestrel notes" });
    expect(retitled.status).toBe(202);
    const retitledItem = ((await retitled.json()) as Json).documents[0];
    expect(retitledItem).toMatchObject({ id, status: "updated", duplicate: false });
    expect(retitledItem.job_id).not.toBe(first.documents[0].job_id);
    const afterTitle = await settledDocument(id);
    expect(afterTitle).toMatchObject({ title: "Kestrel notes", metadata: { topic: "birds" }, status: "indexed", chunk_count: 1 });
    expect(await test.runtime.deps.store.count("alpha", id)).toBe(1);
    const hit = (await hitsFor("kestrels hover motorway verge")).find((entry) => entry.document_id === id);
    expect(hit?.metadata.title).toBe("Kestrel notes");

    const remeta = (await (await post({ text, metadata: { topic: "raptors", checked: true } })).json()) as Json;
    expect(remeta.documents[0]).toMatchObject({ id, status: "updated", job_id: retitledItem.job_id });
    expect(await json(`/v1/documents/${id}`, ALPHA)).toMatchObject({ title: "Kestrel notes", metadata: { topic: "raptors", checked: true } });

    const same = await post({ text, title: "Kestrel notes", metadata: { checked: true, topic: "raptors" } });
    expect(same.status).toBe(200);
    expect(((await same.json()) as Json).documents[0].status).toBe("duplicate");

    const putFile = (name: string, body: string) => {
      const form = new FormData();
      form.append("file", new Blob([body]), name);
      return request("/v1/documents/field-guide", ALPHA, { method: "PUT", body: form });
    };
    expect((await putFile("guide-2023.txt", "Field guide, first edition: herons.")).status).toBe(202);
    expect(await settledDocument("field-guide")).toMatchObject({ title: "guide-2023.txt" });
    const replaced = await putFile("guide-2024.txt", "Field guide, second edition: herons and egrets.");
    expect(((await replaced.json()) as Json).documents[0]).toMatchObject({ status: "accepted" });
    expect(await settledDocument("field-guide")).toMatchObject({ title: "guide-2024.txt", source: "guide-2024.txt", revision: 2 });
  });

  it("PATCH changes title and metadata without re-uploading; the new title shows in later hits", async () => {
    await post({ text: "Otters crack shellfish open with stones on their bellies.", id: "otters", title: "Otters" });
    await settledDocument("otters");

    const metadataOnly = await request("/v1/documents/otters", ALPHA, jsonRequest("PATCH", { metadata: { habitat: "coast" } }));
    expect(metadataOnly.status).toBe(200);
    const unchangedJob = ((await metadataOnly.json()) as Json).job_id;
    expect(await json("/v1/documents/otters", ALPHA)).toMatchObject({ metadata: { habitat: "coast" }, status: "indexed", job_id: unchangedJob });

    const titled = await request("/v1/documents/otters", ALPHA, jsonRequest("PATCH", { title: "Sea otters", metadata: { habitat: "kelp forest" } }));
    expect(titled.status).toBe(202);
    const titledBody = (await titled.json()) as Json;
    expect(titledBody.job_id).not.toBe(unchangedJob);
    expect(await settledDocument("otters")).toMatchObject({ title: "Sea otters", metadata: { habitat: "kelp forest" }, status: "indexed" });
    const hits = (await hitsFor("otters crack shellfish with stones")).filter((hit) => hit.document_id === "otters");
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((hit) => hit.metadata.title === "Sea otters")).toBe(true);

    expect((await request("/v1/documents/otters", BRAVO, jsonRequest("PATCH", { title: "Stolen" }))).status).toBe(404);
    const empty = await request("/v1/documents/otters", ALPHA, jsonRequest("PATCH", {}));
    expect(empty.status).toBe(400);
    const badMetadata = await request("/v1/documents/otters", ALPHA, jsonRequest("PATCH", { metadata: { nested: { no: 1 } } }));
    expect(((await badMetadata.json()) as Json).error.details.issues[0].path).toBe("metadata.nested");
  });

  it("/metrics shows the queue depth, jobs in flight, uploads in flight and items by outcome", async () => {
    const text = await (await test.app.request("/metrics")).text();
    expect(text).toMatch(/^ragline_ingest_queue_depth \d+$/m);
    expect(text).toMatch(/^ragline_ingest_jobs_in_flight \d+$/m);
    expect(text).toMatch(/^ragline_uploads_in_flight 0$/m);
    expect(text).toMatch(/^ragline_upload_items_total\{outcome="accepted"\} [1-9]\d*$/m);
  });
});

describe("queue gauges read the queue", () => {
  it("counts jobs waiting while no worker runs", async () => {
    const test = await startTestRuntime();
    try {
      await test.runtime.queue.close();
      await test.app.request("/v1/documents", jsonRequest("POST", { documents: [{ text: "Waiting one." }, { text: "Waiting two." }] }));
      const text = await (await test.app.request("/metrics")).text();
      expect(text).toMatch(/^ragline_ingest_queue_depth 2$/m);
      expect(text).toMatch(/^ragline_ingest_jobs_in_flight 0$/m);
    } finally {
      await test.close();
    }
  });
});
