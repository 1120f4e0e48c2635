import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DocumentRecord } from "../../src/ports/document-repository.js";
import { SqlDocumentRepository } from "../../src/adapters/document-repository/sql/sql-document-repository.js";
import { openSqliteDatabase, type SqlState } from "../../src/adapters/sql/open-database.js";
import { UnprocessableDocumentError } from "../../src/core/errors.js";
import type { IngestJobData } from "../../src/use-cases/ingest-job.js";
import { reconcileDocuments } from "../../src/use-cases/reconcile-documents.js";
import { InProcessJobQueue } from "../../src/adapters/job-queue/in-process/in-process-job-queue.js";

function record(id: string, status: DocumentRecord["status"], jobId: string): DocumentRecord {
  const now = new Date().toISOString();
  return {
    tenant: "t1",
    id,
    title: id,
    source: "",
    mediaType: "text/plain",
    status,
    contentHash: "h",
    byteSize: 1,
    chunkCount: 0,
    metadata: {},
    revision: 1,
    jobId,
    error: null,
    createdAt: now,
    updatedAt: now,
    indexedAt: null,
  };
}

describe("reconcileDocuments (SQL records)", () => {
  let state: SqlState;
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "ragline-reconcile-"));
    state = await openSqliteDatabase({ path: join(directory, "state.sqlite") });
  });
  afterAll(async () => {
    await state.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("re-enqueues documents whose job vanished, fails those whose job failed, and leaves live and finished ones alone", async () => {
    const documents = new SqlDocumentRepository(state, { jobMaxAttempts: 3 });
    const queue = new InProcessJobQueue<IngestJobData>({ directory: join(directory, "jobs"), backoff: { baseMs: 5 } });
    await queue.start(async (job) => {
      if (job.data.documentId === "broken") throw new UnprocessableDocumentError("cannot parse");
    });
    await queue.enqueue({ tenant: "t1", documentId: "broken", revision: 1, blobKey: "t1/broken/1" }, { id: "job-broken" });
    await queue.onIdle();
    await documents.put(record("stranded", "processing", "job-stranded"));
    await documents.put(record("broken", "processing", "job-broken"));
    await documents.put(record("done", "indexed", "job-done"));

    const result = await reconcileDocuments({ documents, queue });
    expect(result).toEqual({ requeued: 1, failed: 1 });
    expect((await queue.get("job-stranded"))?.data).toEqual({ tenant: "t1", documentId: "stranded", revision: 1, blobKey: "t1/stranded/1" });
    expect(await documents.get("t1", "broken")).toMatchObject({ status: "failed", error: "cannot parse" });
    expect(await queue.get("job-done")).toBeNull();
    await queue.close();
  });
});
