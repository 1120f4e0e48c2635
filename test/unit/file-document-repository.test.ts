import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DocumentRecord } from "../../src/ports/document-repository.js";
import { FileDocumentRepository } from "../../src/adapters/document-repository/file/file-document-repository.js";

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "ragline-documents-"));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

function record(tenant: string, id: string, createdAt = "2024-01-01T00:00:00.000Z"): DocumentRecord {
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
    metadata: {},
    revision: 1,
    jobId: `job-${id}`,
    error: null,
    createdAt,
    updatedAt: createdAt,
    indexedAt: null,
  };
}

describe("FileDocumentRepository", () => {
  it("puts, gets, replaces and deletes records, and persists them across instances", async () => {
    const repository = new FileDocumentRepository({ directory });
    await repository.put(record("acme", "doc/1:a"));
    expect(await repository.get("acme", "doc/1:a")).toEqual(record("acme", "doc/1:a"));
    await repository.put({ ...record("acme", "doc/1:a"), title: "Replaced" });
    expect(await new FileDocumentRepository({ directory }).get("acme", "doc/1:a")).toMatchObject({ title: "Replaced" });
    expect(await repository.delete("acme", "doc/1:a")).toBe(true);
    expect(await repository.delete("acme", "doc/1:a")).toBe(false);
    expect(await repository.get("acme", "doc/1:a")).toBeNull();
  });

  it("isolates tenants", async () => {
    const repository = new FileDocumentRepository({ directory });
    await repository.put(record("acme", "shared-id"));
    expect(await repository.get("globex", "shared-id")).toBeNull();
    expect(await repository.update("globex", "shared-id", { title: "hijack" })).toBeNull();
    expect(await repository.delete("globex", "shared-id")).toBe(false);
    expect((await repository.list("globex", { limit: 10 })).items).toEqual([]);
    expect(await repository.get("acme", "shared-id")).toMatchObject({ title: "Title shared-id" });
  });

  it("update applies a patch, sets updatedAt, and returns null for a missing record", async () => {
    const repository = new FileDocumentRepository({ directory });
    await repository.put(record("acme", "doc"));
    const updated = await repository.update("acme", "doc", { status: "indexed", chunkCount: 7, error: undefined });
    expect(updated).toMatchObject({ status: "indexed", chunkCount: 7, error: null, tenant: "acme", id: "doc" });
    expect(updated!.updatedAt > record("acme", "doc").updatedAt).toBe(true);
    expect(await repository.get("acme", "doc")).toEqual(updated);
    expect(await repository.update("acme", "missing", { status: "failed" })).toBeNull();
  });

  it("applies 50 concurrent updates of different fields without losing one", async () => {
    const repository = new FileDocumentRepository({ directory });
    await repository.put(record("acme", "doc"));
    const patches: Array<Partial<DocumentRecord>> = Array.from({ length: 50 }, (_, index) => {
      const patchesByField: Array<Partial<DocumentRecord>> = [
        { title: `title-${index}` },
        { source: `source-${index}` },
        { chunkCount: index },
        { byteSize: 1_000 + index },
        { jobId: `job-${index}` },
      ];
      return patchesByField[index % patchesByField.length]!;
    });
    const results = await Promise.all(patches.map((patch) => repository.update("acme", "doc", patch)));
    expect(results.every((result) => result !== null)).toBe(true);
    // Updates are applied in call order, so each field holds the value of its last update (indexes 45..49).
    expect(await repository.get("acme", "doc")).toMatchObject({
      title: "title-45",
      source: "source-46",
      chunkCount: 47,
      byteSize: 1_048,
      jobId: "job-49",
    });
  });

  it("lists newest first and paginates over every record exactly once", async () => {
    const repository = new FileDocumentRepository({ directory });
    const records = Array.from({ length: 53 }, (_, index) =>
      record("acme", `doc-${String(index).padStart(2, "0")}`, new Date(Date.UTC(2024, 0, 1, 0, 0, Math.floor(index / 3))).toISOString()),
    );
    await Promise.all(records.map((item) => repository.put(item)));
    await repository.put(record("globex", "other"));

    const fresh = new FileDocumentRepository({ directory });
    const seen: DocumentRecord[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await fresh.list("acme", { limit: 10, cursor });
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor !== undefined);
    expect(pages).toBe(6);
    expect(seen).toHaveLength(53);
    expect(new Set(seen.map((item) => item.id)).size).toBe(53);
    const expectedOrder = [...records].sort((left, right) =>
      left.createdAt === right.createdAt ? (left.id < right.id ? -1 : 1) : left.createdAt > right.createdAt ? -1 : 1,
    );
    expect(seen.map((item) => item.id)).toEqual(expectedOrder.map((item) => item.id));
  });

  it("keeps pagination stable when records are deleted between pages", async () => {
    const repository = new FileDocumentRepository({ directory });
    for (let index = 0; index < 6; index += 1) {
      await repository.put(record("acme", `doc-${index}`, `2024-01-01T00:00:0${index}.000Z`));
    }
    const first = await repository.list("acme", { limit: 2 });
    expect(first.items.map((item) => item.id)).toEqual(["doc-5", "doc-4"]);
    await repository.delete("acme", "doc-4");
    await repository.delete("acme", "doc-3");
    const second = await repository.list("acme", { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((item) => item.id)).toEqual(["doc-2", "doc-1"]);
    const third = await repository.list("acme", { limit: 2, cursor: second.nextCursor! });
    expect(third).toEqual({ items: [record("acme", "doc-0", "2024-01-01T00:00:00.000Z")], nextCursor: null });
  });

  it("rejects an invalid cursor or limit with a validation error", async () => {
    const repository = new FileDocumentRepository({ directory });
    await expect(repository.list("acme", { limit: 10, cursor: "not-a-cursor" })).rejects.toMatchObject({ code: "validation_error" });
    await expect(repository.list("acme", { limit: 0 })).rejects.toMatchObject({ code: "validation_error" });
  });
});
