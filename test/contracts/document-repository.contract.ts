import { afterEach, describe, expect } from "vitest";
import { ConflictError } from "../../src/core/errors.js";
import type { DocumentRecord, DocumentRepository } from "../../src/ports/document-repository.js";
import { contractCases, type ContractOptions } from "../helpers/contract-suite.js";

/** One backing store (a directory, a Redis prefix, a database) that repository instances share. */
export interface DocumentRepositoryFixture {
  /** A repository instance on the backing store: it sees every record earlier instances wrote. */
  open(): DocumentRepository | Promise<DocumentRepository>;
  /** Deletes the backing store. Called after every case. */
  cleanup(): Promise<void>;
}

export const documentRepositoryContractTests = [
  "puts, gets, replaces and deletes a record, keeping JSON values intact",
  "records written by one instance are read by the next",
  "keeps tenants apart, even with ids and tenant names that look like separators",
  "update applies a patch, moves updatedAt forward and returns null for a missing record",
  "concurrent updates of different fields lose none",
  "concurrent updates from two instances lose none",
  "lists newest first, ties by id, and pagination covers every record exactly once",
  "a record deleted between pages is skipped and the page is filled from the next ones",
  "rejects an invalid cursor or limit with a validation error",
  "listByStatus finds records of every tenant in the given statuses, least recently updated first",
  "putWithJob stores the record and creates its job once per job id",
  "putManyWithJobs stores every record with its job in one go, a job id already there left as it is",
  "list filters by status, page by page",
  "a batch counts its items by outcome and by the current state of their documents",
  "batches are per tenant and their ids unique",
] as const;

export type DocumentRepositoryContractTest = (typeof documentRepositoryContractTests)[number];

/** A valid record; `overrides` replace fields. */
export function makeRecord(tenant: string, id: string, overrides: Partial<DocumentRecord> = {}): DocumentRecord {
  const createdAt = overrides.createdAt ?? "2024-05-01T10:00:00.000Z";
  return {
    tenant,
    id,
    title: `Title ${id}`,
    source: `${id}.txt`,
    mediaType: "text/plain",
    status: "queued",
    contentHash: "0".repeat(64),
    byteSize: 10,
    chunkCount: 0,
    metadata: { nested: { list: [], empty: {} } },
    revision: 1,
    jobId: `ingest:${id}:1`,
    error: null,
    createdAt,
    updatedAt: createdAt,
    indexedAt: null,
    ...overrides,
  };
}

function byNewest(left: DocumentRecord, right: DocumentRecord): number {
  if (left.createdAt !== right.createdAt) return left.createdAt > right.createdAt ? -1 : 1;
  return left.id < right.id ? -1 : 1;
}

/** Patches of five different fields, `count` of them in turn. */
function fieldPatches(count: number): Array<Partial<DocumentRecord>> {
  return Array.from({ length: count }, (_, index) => {
    const patches: Array<Partial<DocumentRecord>> = [
      { title: `title-${index}` },
      { source: `source-${index}` },
      { chunkCount: index },
      { byteSize: 1_000 + index },
      { jobId: `job-${index}` },
    ];
    return patches[index % patches.length]!;
  });
}

/** Every patched field holds a value one of the patches wrote to it. */
function expectEveryFieldWritten(record: DocumentRecord | null, patches: Array<Partial<DocumentRecord>>): void {
  expect(record).not.toBeNull();
  for (const field of ["title", "source", "chunkCount", "byteSize", "jobId"] as const) {
    const written = patches.filter((patch) => field in patch).map((patch) => patch[field]);
    expect(written).toContain(record![field]);
  }
}

/** The `DocumentRepository` port's contract (see src/ports/document-repository.ts), run once per adapter. */
export function runDocumentRepositoryContract(options: ContractOptions<DocumentRepositoryFixture, DocumentRepositoryContractTest>): void {
  describe(`DocumentRepository contract: ${options.name}`, () => {
    const test = contractCases(documentRepositoryContractTests, options.skip);
    let fixture: DocumentRepositoryFixture | undefined;

    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    async function open(): Promise<DocumentRepository> {
      fixture ??= await options.create();
      return fixture.open();
    }

    test("puts, gets, replaces and deletes a record, keeping JSON values intact", async () => {
      const repository = await open();
      const record = makeRecord("acme", "doc:1/ä", { metadata: { tags: [], big: 9007199254740991, empty: {}, none: null, text: "Grüße 🌍" } });
      expect(await repository.get("acme", "doc:1/ä")).toBeNull();
      await repository.put(record);
      expect(await repository.get("acme", "doc:1/ä")).toEqual(record);

      await repository.put({ ...record, title: "Replaced", revision: 2 });
      expect(await repository.get("acme", "doc:1/ä")).toEqual({ ...record, title: "Replaced", revision: 2 });

      expect(await repository.delete("acme", "doc:1/ä")).toBe(true);
      expect(await repository.delete("acme", "doc:1/ä")).toBe(false);
      expect(await repository.get("acme", "doc:1/ä")).toBeNull();
      expect((await repository.list("acme", { limit: 10 })).items).toEqual([]);
    });

    test("records written by one instance are read by the next", async () => {
      const writer = await open();
      await writer.put(makeRecord("acme", "kept"));
      await writer.put(makeRecord("acme", "gone"));
      await writer.update("acme", "kept", { status: "indexed", chunkCount: 4 });
      await writer.delete("acme", "gone");
      const reader = await open();
      expect(await reader.get("acme", "kept")).toMatchObject({ status: "indexed", chunkCount: 4 });
      expect(await reader.get("acme", "gone")).toBeNull();
      expect((await reader.list("acme", { limit: 10 })).items.map((record) => record.id)).toEqual(["kept"]);
    });

    test("keeps tenants apart, even with ids and tenant names that look like separators", async () => {
      const repository = await open();
      await repository.put(makeRecord("a", "b:c"));
      await repository.put(makeRecord("a:b", "c"));
      await repository.put(makeRecord("acme", "shared-id"));
      expect(await repository.get("a", "b:c")).toMatchObject({ tenant: "a", id: "b:c" });
      expect(await repository.get("a:b", "c")).toMatchObject({ tenant: "a:b", id: "c" });
      expect(await repository.get("a", "c")).toBeNull();
      expect(await repository.get("a:b", "b:c")).toBeNull();
      expect(await repository.get("globex", "shared-id")).toBeNull();
      expect(await repository.update("globex", "shared-id", { title: "hijack" })).toBeNull();
      expect(await repository.delete("globex", "shared-id")).toBe(false);
      expect(await repository.get("acme", "shared-id")).toMatchObject({ title: "Title shared-id" });
      expect((await repository.list("a", { limit: 10 })).items.map((record) => record.id)).toEqual(["b:c"]);
      expect((await repository.list("a:b", { limit: 10 })).items.map((record) => record.id)).toEqual(["c"]);
      expect((await repository.list("globex", { limit: 10 })).items).toEqual([]);
    });

    test("update applies a patch, moves updatedAt forward and returns null for a missing record", async () => {
      const repository = await open();
      const record = makeRecord("acme", "doc");
      await repository.put(record);
      const updated = await repository.update("acme", "doc", { status: "indexed", chunkCount: 7, error: undefined, indexedAt: "2024-05-01T10:05:00.000Z" });
      expect(updated).toMatchObject({
        status: "indexed",
        chunkCount: 7,
        error: null,
        title: record.title,
        metadata: record.metadata,
        tenant: "acme",
        id: "doc",
      });
      expect(updated!.updatedAt > record.updatedAt).toBe(true);
      expect(await repository.get("acme", "doc")).toEqual(updated);
      expect(await repository.update("acme", "missing", { status: "failed" })).toBeNull();
      expect(await repository.get("acme", "missing")).toBeNull();
    });

    test("concurrent updates of different fields lose none", async () => {
      const repository = await open();
      await repository.put(makeRecord("acme", "doc"));
      const patches = fieldPatches(50);
      const results = await Promise.all(patches.map((patch) => repository.update("acme", "doc", patch)));
      expect(results.every((result) => result !== null)).toBe(true);
      expectEveryFieldWritten(await repository.get("acme", "doc"), patches);
    });

    test("concurrent updates from two instances lose none", async () => {
      const first = await open();
      const second = await open();
      await first.put(makeRecord("acme", "shared"));
      const patches = fieldPatches(40);
      await Promise.all(patches.map((patch, index) => (index % 2 === 0 ? first : second).update("acme", "shared", patch)));
      expectEveryFieldWritten(await first.get("acme", "shared"), patches);
      expectEveryFieldWritten(await second.get("acme", "shared"), patches);
    });

    test("lists newest first, ties by id, and pagination covers every record exactly once", async () => {
      const repository = await open();
      const base = Date.parse("2024-01-01T00:00:00.000Z");
      const records = Array.from({ length: 23 }, (_, index) =>
        makeRecord("acme", `doc-${String(index).padStart(2, "0")}`, { createdAt: new Date(base + Math.floor(index / 3) * 1_000).toISOString() }),
      );
      await Promise.all([...records].reverse().map((record) => repository.put(record)));
      await repository.put(makeRecord("globex", "other"));
      const expectedOrder = [...records].sort(byNewest).map((record) => record.id);

      const reader = await open();
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await reader.list("acme", { limit: 5, cursor });
        expect(page.items.length).toBeLessThanOrEqual(5);
        seen.push(...page.items.map((record) => record.id));
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor !== undefined);
      expect(seen).toEqual(expectedOrder);
      expect(pages).toBe(5);

      const exact = await reader.list("acme", { limit: 23 });
      expect(exact.items).toEqual([...records].sort(byNewest));
      expect(exact.nextCursor).toBeNull();
    });

    test("a record deleted between pages is skipped and the page is filled from the next ones", async () => {
      const repository = await open();
      for (let index = 0; index < 6; index += 1) await repository.put(makeRecord("acme", `doc-${index}`, { createdAt: `2024-01-01T00:00:0${index}.000Z` }));
      const first = await repository.list("acme", { limit: 2 });
      expect(first.items.map((item) => item.id)).toEqual(["doc-5", "doc-4"]);
      await repository.delete("acme", "doc-4");
      await repository.delete("acme", "doc-3");
      const second = await repository.list("acme", { limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((item) => item.id)).toEqual(["doc-2", "doc-1"]);
      const third = await repository.list("acme", { limit: 2, cursor: second.nextCursor! });
      expect(third).toEqual({ items: [makeRecord("acme", "doc-0", { createdAt: "2024-01-01T00:00:00.000Z" })], nextCursor: null });
    });

    test("rejects an invalid cursor or limit with a validation error", async () => {
      const repository = await open();
      await repository.put(makeRecord("acme", "doc"));
      await expect(repository.list("acme", { limit: 10, cursor: "not-a-cursor" })).rejects.toMatchObject({ code: "validation_error" });
      await expect(repository.list("acme", { limit: 0 })).rejects.toMatchObject({ code: "validation_error" });
    });

    test("listByStatus finds records of every tenant in the given statuses, least recently updated first", async () => {
      const repository = await open();
      if (!repository.listByStatus) throw new Error("listByStatus is not implemented: skip this case with the reason");
      await repository.put(makeRecord("t1", "a", { status: "processing", updatedAt: "2024-01-01T00:00:03.000Z" }));
      await repository.put(makeRecord("t2", "b", { status: "processing", updatedAt: "2024-01-01T00:00:01.000Z" }));
      await repository.put(makeRecord("t2", "c", { status: "queued", updatedAt: "2024-01-01T00:00:02.000Z" }));
      await repository.put(makeRecord("t3", "d", { status: "indexed" }));
      const processing = await repository.listByStatus(["processing"], 10);
      expect(processing.map((record) => `${record.tenant}/${record.id}`)).toEqual(["t2/b", "t1/a"]);
      const stuck = await repository.listByStatus(["processing", "queued"], 2);
      expect(stuck.map((record) => `${record.tenant}/${record.id}`)).toEqual(["t2/b", "t2/c"]);
      await repository.update("t2", "b", { status: "indexed" });
      await repository.delete("t1", "a");
      expect(await repository.listByStatus(["processing"], 10)).toEqual([]);
      expect((await repository.listByStatus(["indexed"], 10)).map((record) => `${record.tenant}/${record.id}`).sort()).toEqual(["t2/b", "t3/d"]);
    });

    test("putWithJob stores the record and creates its job once per job id", async () => {
      const repository = await open();
      const first = makeRecord("acme", "doc", { jobId: "ingest:doc:1" });
      expect(await repository.putWithJob(first, { id: first.jobId, data: { documentId: "doc", revision: 1 } })).toEqual({ jobCreated: true });
      expect(await repository.get("acme", "doc")).toEqual(first);
      const again = { ...first, title: "Same job, record rewritten" };
      expect(await repository.putWithJob(again, { id: first.jobId, data: { documentId: "doc", revision: 1 } })).toEqual({ jobCreated: false });
      expect((await repository.get("acme", "doc"))?.title).toBe("Same job, record rewritten");
      const replaced = makeRecord("acme", "doc", { revision: 2, jobId: "ingest:doc:2" });
      expect(await repository.putWithJob(replaced, { id: replaced.jobId, data: { documentId: "doc", revision: 2 } })).toEqual({ jobCreated: true });
      expect((await repository.get("acme", "doc"))?.revision).toBe(2);
    });

    test("putManyWithJobs stores every record with its job in one go, a job id already there left as it is", async () => {
      const repository = await open();
      const existing = makeRecord("acme", "doc-0", { jobId: "ingest:doc-0:1" });
      await repository.putWithJob(existing, { id: existing.jobId, data: { documentId: "doc-0", revision: 1 } });
      const records = [0, 1, 2].map((index) => makeRecord("acme", `doc-${index}`, { jobId: `ingest:doc-${index}:1`, title: `Bulk ${index}` }));
      const results = await repository.putManyWithJobs(records.map((record) => ({ record, job: { id: record.jobId, data: { documentId: record.id } } })));
      expect(results).toEqual([{ jobCreated: false }, { jobCreated: true }, { jobCreated: true }]);
      expect(await repository.getMany(records.map(({ tenant, id }) => ({ tenant, id })))).toEqual(records);
      expect(await repository.putManyWithJobs([])).toEqual([]);
    });

    test("list filters by status, page by page", async () => {
      const repository = await open();
      for (let index = 0; index < 5; index += 1) {
        const createdAt = `2024-05-01T10:00:0${index}.000Z`;
        await repository.put(makeRecord("acme", `doc-${index}`, { status: index % 2 === 0 ? "indexed" : "failed", createdAt, updatedAt: createdAt }));
      }
      await repository.put(makeRecord("other", "doc-9", { status: "indexed" }));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await repository.list("acme", { limit: 2, cursor, status: "indexed" });
        expect(page.items.every((record) => record.status === "indexed" && record.tenant === "acme")).toBe(true);
        seen.push(...page.items.map((record) => record.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(["doc-4", "doc-2", "doc-0"]);
      expect((await repository.list("acme", { limit: 10, status: "failed" })).items.map((record) => record.id)).toEqual(["doc-3", "doc-1"]);
      expect((await repository.list("acme", { limit: 10, status: "processing" })).items).toEqual([]);
    });

    test("a batch counts its items by outcome and by the current state of their documents", async () => {
      const repository = await open();
      const batch = { tenant: "acme", id: "batch_1", kind: "json" as const, createdAt: "2024-05-01T10:00:00.000Z", receivedAt: null };
      await repository.createBatch(batch);
      const records = ["a", "b", "c", "d", "e"].map((id) => makeRecord("acme", id));
      for (const record of records) await repository.put(record);
      const item = (
        position: number,
        record: DocumentRecord | null,
        outcome: "accepted" | "duplicate" | "updated" | "refused",
        reason: string | null = null,
      ) => ({
        position,
        name: `file-${position}.txt`,
        outcome,
        documentId: record?.id ?? null,
        jobId: record?.jobId ?? null,
        reason,
      });
      await repository.addBatchItems("acme", "batch_1", [item(0, records[0]!, "accepted"), item(1, null, "refused", "unsupported type image/png")]);
      await repository.addBatchItems("acme", "batch_1", [
        item(2, records[1]!, "duplicate"),
        item(3, records[2]!, "updated"),
        item(4, records[3]!, "accepted"),
        item(5, records[4]!, "accepted"),
      ]);
      await repository.update("acme", "a", { status: "indexed", chunkCount: 3 });
      await repository.update("acme", "b", { status: "failed", error: "PDF is encrypted" });
      await repository.update("acme", "c", { status: "processing" });
      // Indexed again from a later upload: superseded for this batch, its chunks not the batch's.
      await repository.update("acme", "d", { status: "indexed", jobId: "ingest:d:2", revision: 2, chunkCount: 5 });
      await repository.delete("acme", "e");

      const summary = await repository.getBatch("acme", "batch_1", { failureLimit: 10 });
      expect(summary).toEqual({
        batch,
        outcomes: { accepted: 3, duplicate: 1, updated: 1, refused: 1 },
        documents: { queued: 0, processing: 1, indexed: 1, failed: 1, superseded: 1, deleted: 1 },
        failures: [
          { position: 1, name: "file-1.txt", documentId: null, stage: "upload", reason: "unsupported type image/png" },
          { position: 2, name: "file-2.txt", documentId: "b", stage: "ingest", reason: "PDF is encrypted" },
        ],
        failureCount: 2,
        indexedChunks: 3,
      });
      expect((await repository.getBatch("acme", "batch_1", { failureLimit: 1 }))?.failures.map((failure) => failure.position)).toEqual([1]);
      await repository.markBatchReceived("acme", "batch_1", "2024-05-01T10:00:05.000Z");
      expect((await repository.getBatch("acme", "batch_1", { failureLimit: 0 }))?.batch.receivedAt).toBe("2024-05-01T10:00:05.000Z");
    });

    test("batches are per tenant and their ids unique", async () => {
      const repository = await open();
      const batch = { tenant: "acme", id: "batch_x", kind: "ndjson" as const, createdAt: "2024-05-01T10:00:00.000Z", receivedAt: null };
      await repository.createBatch(batch);
      await expect(repository.createBatch(batch)).rejects.toBeInstanceOf(ConflictError);
      await repository.createBatch({ ...batch, tenant: "other" });
      await repository.addBatchItems("acme", "batch_x", [
        { position: 0, name: null, outcome: "refused", documentId: null, jobId: null, reason: "line 1: not valid JSON" },
      ]);
      expect((await repository.getBatch("other", "batch_x", { failureLimit: 10 }))?.outcomes).toEqual({ accepted: 0, duplicate: 0, updated: 0, refused: 0 });
      expect((await repository.getBatch("acme", "batch_x", { failureLimit: 10 }))?.outcomes.refused).toBe(1);
      expect(await repository.getBatch("nobody", "batch_x", { failureLimit: 10 })).toBeNull();
    });

    test.assertAllDeclared();
  });
}
