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

describe("FileDocumentRepository (the DocumentRepository contract runs in test/contracts/document-repository.file.test.ts)", () => {
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
});
