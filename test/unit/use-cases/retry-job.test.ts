import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConflictError, NotFoundError, UnprocessableDocumentError } from "../../../src/core/errors.js";
import type { Job, JobQueue } from "../../../src/ports/job-queue.js";
import type { IngestJobData } from "../../../src/use-cases/ingest-job.js";
import { retryJob } from "../../../src/use-cases/retry-job.js";
import { submitDocument } from "../../../src/use-cases/submit-document.js";
import { wrapPort } from "../../../src/wrappers/wrap-port.js";
import { waitFor } from "../../helpers/wait-for.js";
import { createEmbeddedDocumentDeps, textUpload } from "./embedded-document-deps.js";

describe("retryJob", () => {
  let deps: Awaited<ReturnType<typeof createEmbeddedDocumentDeps>>;
  // What the worker does with each job; by default it fails the way an unparsable file does, marking the document.
  let work: (job: Job<IngestJobData>) => Promise<void>;
  const failDocument = async (job: Job<IngestJobData>) => {
    await deps.documents.update(job.data.tenant, job.data.documentId, { status: "failed", error: "not a PDF" });
    throw new UnprocessableDocumentError("not a PDF");
  };

  beforeEach(async () => {
    deps = await createEmbeddedDocumentDeps();
    work = failDocument;
    await deps.queue.start((job) => work(job));
  });
  afterEach(async () => {
    await deps.cleanup();
  });

  const failedDocument = async (id: string) => {
    const { record } = await submitDocument(deps, { tenant: "acme", item: textUpload(`content of ${id}`, id), mode: "replace" });
    await waitFor(async () => (await deps.queue.get(record.jobId))?.state === "failed", "the job to fail");
    return record;
  };

  it("queues the current revision's failed job again and puts its document back to queued before the job can run", async () => {
    const record = await failedDocument("guide");
    const seenByJob: unknown[] = [];
    work = async (job) => {
      seenByJob.push(await deps.documents.get(job.data.tenant, job.data.documentId));
    };
    const retried = await retryJob(deps, { tenant: "acme", jobId: record.jobId });
    expect(retried).toMatchObject({ id: record.jobId });
    await waitFor(async () => (await deps.queue.get(record.jobId))?.state === "completed", "the retried job to complete");
    expect(seenByJob).toEqual([expect.objectContaining({ status: "queued", error: null })]);
  });

  it("is not found for an unknown job or another tenant's", async () => {
    const record = await failedDocument("guide");
    await expect(retryJob(deps, { tenant: "acme", jobId: "ingest:missing:1" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(retryJob(deps, { tenant: "globex", jobId: record.jobId })).rejects.toBeInstanceOf(NotFoundError);
    expect(await deps.documents.get("acme", "guide")).toMatchObject({ status: "failed", error: "not a PDF" });
  });

  it("leaves the document as it was when the queue refuses (a job that has not failed, or a queue error)", async () => {
    work = async () => {};
    const { record } = await submitDocument(deps, { tenant: "acme", item: textUpload("fine", "fine"), mode: "replace" });
    await waitFor(async () => (await deps.queue.get(record.jobId))?.state === "completed", "the job to complete");
    await expect(retryJob(deps, { tenant: "acme", jobId: record.jobId })).rejects.toBeInstanceOf(ConflictError);
    expect(await deps.documents.get("acme", "fine")).toMatchObject({ status: "queued" });

    work = failDocument;
    const failed = await failedDocument("guide");
    const before = await deps.documents.get("acme", "guide");
    const brokenQueue = wrapPort<JobQueue<IngestJobData>>(deps.queue, {
      retry: () => async () => {
        throw new Error("queue unavailable");
      },
    });
    await expect(retryJob({ ...deps, queue: brokenQueue }, { tenant: "acme", jobId: failed.jobId })).rejects.toThrow("queue unavailable");
    expect(await deps.documents.get("acme", "guide")).toEqual(before);
  });

  it("retries a superseded revision's dead letter without touching the document", async () => {
    const old = await failedDocument("guide");
    work = async () => {};
    const { record: current } = await submitDocument(deps, { tenant: "acme", item: textUpload("fixed content", "guide"), mode: "replace" });
    await waitFor(async () => (await deps.queue.get(current.jobId))?.state === "completed", "the new revision's job");
    await deps.documents.update("acme", "guide", { status: "indexed" });
    await retryJob(deps, { tenant: "acme", jobId: old.jobId });
    await waitFor(async () => (await deps.queue.get(old.jobId))?.state === "completed", "the old job to complete");
    expect(await deps.documents.get("acme", "guide")).toMatchObject({ revision: 2, status: "indexed", jobId: current.jobId });
  });
});
