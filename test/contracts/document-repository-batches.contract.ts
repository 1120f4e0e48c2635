import { afterEach, describe, expect } from "vitest";
import type { DocumentRepository } from "../../src/ports/document-repository.js";
import { contractCases, type ContractOptions } from "../helpers/contract-suite.js";
import { makeRecord, type DocumentRepositoryFixture } from "./document-repository.contract.js";

export const documentRepositoryBatchContractTests = [
  "getMany returns the records of many tenants in the order asked, null where there is none",
  "updateMany applies every change in order, only while the record still names the job given",
] as const;

export type DocumentRepositoryBatchContractTest = (typeof documentRepositoryBatchContractTests)[number];

/** The batch reads and writes of the `DocumentRepository` port (see src/ports/document-repository.ts), run once per adapter. */
export function runDocumentRepositoryBatchContract(options: ContractOptions<DocumentRepositoryFixture, DocumentRepositoryBatchContractTest>): void {
  describe(`DocumentRepository batch contract: ${options.name}`, () => {
    const test = contractCases(documentRepositoryBatchContractTests, options.skip);
    let fixture: DocumentRepositoryFixture | undefined;

    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    async function open(): Promise<DocumentRepository> {
      fixture ??= await options.create();
      return fixture.open();
    }

    test("getMany returns the records of many tenants in the order asked, null where there is none", async () => {
      const repository = await open();
      const ids = Array.from({ length: 1_200 }, (_, index) => `doc-${index}`);
      for (const id of ids) await repository.put(makeRecord("acme", id));
      await repository.put(makeRecord("globex", "doc-7", { title: "Globex's own" }));
      const keys = [
        { tenant: "globex", id: "doc-7" },
        ...ids.map((id) => ({ tenant: "acme", id })).reverse(),
        { tenant: "acme", id: "missing" },
        { tenant: "initech", id: "doc-7" },
        { tenant: "acme", id: "doc-7" },
      ];
      const records = await repository.getMany(keys);
      expect(records).toHaveLength(keys.length);
      expect(records[0]).toMatchObject({ tenant: "globex", id: "doc-7", title: "Globex's own" });
      expect(records.slice(1, 1 + ids.length).map((record) => record?.id)).toEqual([...ids].reverse());
      expect(records.slice(-3)).toEqual([null, null, expect.objectContaining({ tenant: "acme", id: "doc-7", title: "Title doc-7" })]);
      expect(await repository.getMany([])).toEqual([]);
    });

    test("updateMany applies every change in order, only while the record still names the job given", async () => {
      const repository = await open();
      for (const id of ["a", "b", "c", "d"]) await repository.put(makeRecord("acme", id));
      await repository.put(makeRecord("acme", "e", { jobId: "ingest:e:2", revision: 2 }));
      await repository.put(makeRecord("globex", "a"));
      const applied = await repository.updateMany([
        { tenant: "acme", id: "a", jobId: "ingest:a:1", patch: { status: "indexed", chunkCount: 3, indexedAt: "2024-05-02T00:00:00.000Z" } },
        { tenant: "acme", id: "b", jobId: "ingest:b:1", patch: { status: "indexed", chunkCount: 3, indexedAt: "2024-05-02T00:00:00.000Z" } },
        { tenant: "acme", id: "c", jobId: "ingest:c:1", patch: { status: "failed", error: "PDF is encrypted" } },
        { tenant: "acme", id: "missing", jobId: "ingest:missing:1", patch: { status: "processing" } },
        { tenant: "acme", id: "e", jobId: "ingest:e:1", patch: { status: "indexed", chunkCount: 9 } },
        { tenant: "acme", id: "d", patch: { title: "No job condition" } },
      ]);
      expect(applied).toEqual([true, true, true, false, false, true]);
      expect(await repository.get("acme", "a")).toMatchObject({ status: "indexed", chunkCount: 3, indexedAt: "2024-05-02T00:00:00.000Z", title: "Title a" });
      expect((await repository.get("acme", "a"))!.updatedAt > "2024-05-01T10:00:00.000Z").toBe(true);
      expect(await repository.get("acme", "c")).toMatchObject({ status: "failed", error: "PDF is encrypted" });
      expect(await repository.get("acme", "e")).toMatchObject({ status: "queued", chunkCount: 0 });
      expect(await repository.get("acme", "d")).toMatchObject({ title: "No job condition", status: "queued" });
      expect(await repository.get("globex", "a")).toMatchObject({ status: "queued", chunkCount: 0 });
      expect(await repository.updateMany([])).toEqual([]);
    });

    test.assertAllDeclared();
  });
}
