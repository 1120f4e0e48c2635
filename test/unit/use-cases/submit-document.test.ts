import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { wrapPort } from "../../../src/wrappers/wrap-port.js";
import type { DocumentRepository } from "../../../src/ports/document-repository.js";
import type { BatchContext } from "../../../src/ports/job-queue.js";
import { ingestBatch, type IngestBatchDeps } from "../../../src/use-cases/ingest/ingest-batch.js";
import { blobKeyFor, submitDocument } from "../../../src/use-cases/submit-document.js";
import type { JobQueue } from "../../../src/ports/job-queue.js";
import type { IngestJobData } from "../../../src/use-cases/ingest-job.js";
import { recordingLogger } from "../../helpers/recording-logger.js";
import { createEmbeddedDocumentDeps, textUpload } from "./embedded-document-deps.js";

describe("submitDocument: only the current revision's blob is kept", () => {
  let deps: Awaited<ReturnType<typeof createEmbeddedDocumentDeps>>;
  beforeEach(async () => {
    deps = await createEmbeddedDocumentDeps();
  });
  afterEach(async () => {
    await deps.cleanup();
  });

  it("deletes the superseded revision's blob once the new record is written, and nothing for a duplicate", async () => {
    await submitDocument(deps, { tenant: "acme", item: textUpload("first words", "note"), mode: "replace" });
    const second = await submitDocument(deps, { tenant: "acme", item: textUpload("second words", "note"), mode: "replace" });
    expect(second.record.revision).toBe(2);
    expect(await deps.blobs.get(blobKeyFor("acme", "note", 1))).toBeNull();
    expect(new TextDecoder().decode((await deps.blobs.get(blobKeyFor("acme", "note", 2)))!)).toBe("second words");

    const duplicate = await submitDocument(deps, { tenant: "acme", item: textUpload("second words", "note"), mode: "replace" });
    expect(duplicate).toMatchObject({ duplicate: true, record: { revision: 2 } });
    expect(await deps.blobs.get(blobKeyFor("acme", "note", 2))).not.toBeNull();
  });

  it("keeps the old blob when the new record could not be written, since the record still names the old revision", async () => {
    await submitDocument(deps, { tenant: "acme", item: textUpload("first words", "note"), mode: "replace" });
    const failingPut: DocumentRepository = wrapPort<DocumentRepository>(deps.documents, {
      putWithJob: () => async () => {
        throw new Error("disk full");
      },
    });
    await expect(
      submitDocument({ ...deps, documents: failingPut }, { tenant: "acme", item: textUpload("second words", "note"), mode: "replace" }),
    ).rejects.toThrow("disk full");
    expect(await deps.documents.get("acme", "note")).toMatchObject({ revision: 1 });
    expect(await deps.blobs.get(blobKeyFor("acme", "note", 1))).not.toBeNull();
  });

  it("a job of a revision superseded while it runs finishes without its blob and leaves the new revision alone", async () => {
    const first = await submitDocument(deps, { tenant: "acme", item: textUpload("first words", "note"), mode: "replace" });
    const job = (await deps.queue.get(first.record.jobId))!;
    // The replacement lands just after the first job marked its document `processing`, before it reads the blob.
    let replaced = false;
    const documents = wrapPort<DocumentRepository>(deps.documents, {
      updateMany: (next) => async (changes) => {
        const applied = await next(changes);
        if (changes.some((change) => change.patch.status === "processing") && !replaced) {
          replaced = true;
          await submitDocument(deps, { tenant: "acme", item: textUpload("second words", "note"), mode: "replace" });
        }
        return applied;
      },
    });
    const unreachable = new Proxy({}, { get: (_target, key) => expect.unreachable(`the superseded job used ${String(key)}`) });
    const ingestDeps = {
      documents,
      blobs: deps.blobs,
      store: unreachable,
      embeddings: unreachable,
      chunker: unreachable,
      chunking: () => unreachable,
      maxBytesPerGroup: 1_000_000,
    };
    const context: BatchContext = { reportProgress: async () => {}, signal: new AbortController().signal };
    await expect(ingestBatch(ingestDeps as unknown as IngestBatchDeps, [job], context)).resolves.toEqual([{ ok: true }]);
    expect(replaced).toBe(true);
    expect(await deps.documents.get("acme", "note")).toMatchObject({ revision: 2, status: "queued", error: null });
    expect(await deps.blobs.get(blobKeyFor("acme", "note", 1))).toBeNull();
  });
});

describe("submitDocument: a stored upload does not depend on reaching the queue", () => {
  let deps: Awaited<ReturnType<typeof createEmbeddedDocumentDeps>>;
  beforeEach(async () => {
    deps = await createEmbeddedDocumentDeps();
  });
  afterEach(async () => {
    await deps.cleanup();
  });

  it("accepts the upload with its job stored when enqueue fails, and logs it", async () => {
    const unreachable = wrapPort<JobQueue<IngestJobData>>(deps.queue, {
      enqueue: () => async () => {
        throw new Error("redis down");
      },
    });
    const logger = recordingLogger();
    const submitted = await submitDocument(
      { ...deps, queue: unreachable, logger },
      { tenant: "acme", item: textUpload("stored anyway", "note"), mode: "replace" },
    );
    expect(submitted).toMatchObject({ duplicate: false, record: { status: "queued", revision: 1 } });
    expect(await deps.documents.get("acme", "note")).toMatchObject({ jobId: submitted.record.jobId });
    expect(await deps.queue.get(submitted.record.jobId)).toMatchObject({ state: "queued" });
    expect(logger.lines.map((line) => line.level)).toEqual(["warn"]);
  });
});
