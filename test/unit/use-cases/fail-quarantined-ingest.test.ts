import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Job } from "../../../src/ports/job-queue.js";
import { failQuarantinedIngest } from "../../../src/use-cases/fail-quarantined-ingest.js";
import type { IngestJobData } from "../../../src/use-cases/ingest-job.js";
import { submitDocument } from "../../../src/use-cases/submit-document.js";
import { createEmbeddedDocumentDeps, textUpload } from "./embedded-document-deps.js";
import { recordingLogger } from "../../helpers/recording-logger.js";

/** The job as the queue reports it when it gives up after crashes. */
function quarantined(id: string, data: IngestJobData): Job<IngestJobData> {
  const now = new Date().toISOString();
  return {
    id,
    data,
    state: "failed",
    attempts: 0,
    maxAttempts: 5,
    progress: 0,
    error: "crashed the worker 3 times",
    createdAt: now,
    updatedAt: now,
    finishedAt: now,
  };
}

describe("failQuarantinedIngest", () => {
  let deps: Awaited<ReturnType<typeof createEmbeddedDocumentDeps>>;
  beforeEach(async () => {
    deps = await createEmbeddedDocumentDeps();
  });
  afterEach(async () => {
    await deps.cleanup();
  });

  it("marks the document failed with the job's reason, and logs it by document and file name", async () => {
    const { record } = await submitDocument(deps, { tenant: "acme", item: { ...textUpload("poison", "poison"), fileName: "poison.txt" }, mode: "replace" });
    const logger = recordingLogger();
    await failQuarantinedIngest({ ...deps, logger }, quarantined(record.jobId, (await deps.queue.get(record.jobId))!.data));
    expect(await deps.documents.get("acme", "poison")).toMatchObject({ status: "failed", error: "crashed the worker 3 times" });
    expect(logger.lines).toEqual([
      {
        level: "warn",
        message: "document ingest failed: quarantined",
        fields: { tenant: "acme", documentId: "poison", source: "poison.txt", revision: 1, jobId: record.jobId, error: "crashed the worker 3 times" },
      },
    ]);
  });

  it("leaves a document its job already indexed (the lock was lost after the work was done)", async () => {
    const { record } = await submitDocument(deps, { tenant: "acme", item: textUpload("done before the lock was lost", "done"), mode: "replace" });
    await deps.documents.update("acme", "done", { status: "indexed", chunkCount: 1, indexedAt: new Date().toISOString(), updatedAt: new Date().toISOString() });
    await failQuarantinedIngest(deps, quarantined(record.jobId, (await deps.queue.get(record.jobId))!.data));
    expect(await deps.documents.get("acme", "done")).toMatchObject({ status: "indexed", error: null });
  });

  it("leaves a document alone once a newer revision replaced the job, and ignores one that no longer exists", async () => {
    const { record: first } = await submitDocument(deps, { tenant: "acme", item: textUpload("version one", "guide"), mode: "replace" });
    const firstData = (await deps.queue.get(first.jobId))!.data;
    const { record: second } = await submitDocument(deps, { tenant: "acme", item: textUpload("version two", "guide"), mode: "replace" });
    expect(second.jobId).not.toBe(first.jobId);
    await failQuarantinedIngest(deps, quarantined(first.jobId, firstData));
    expect(await deps.documents.get("acme", "guide")).toMatchObject({ status: "queued", error: null, jobId: second.jobId });
    await expect(failQuarantinedIngest(deps, quarantined("ingest:gone:1", { ...firstData, documentId: "gone" }))).resolves.toBeUndefined();
    expect(await deps.documents.get("acme", "gone")).toBeNull();
  });
});
