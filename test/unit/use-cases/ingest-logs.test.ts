import { describe, expect, it } from "vitest";
import { UnprocessableDocumentError, UpstreamUnavailableError } from "../../../src/core/errors.js";
import type { DocumentRecord } from "../../../src/ports/document-repository.js";
import type { Job } from "../../../src/ports/job-queue.js";
import type { IngestJobData } from "../../../src/use-cases/ingest-job.js";
import type { Work } from "../../../src/use-cases/ingest/finish-batch.js";
import { logBatchOutcomes } from "../../../src/use-cases/ingest/ingest-logs.js";
import { recordingLogger } from "../../helpers/recording-logger.js";

const NOW = "2026-11-27T00:00:00.000Z";

function work(index: number, source: string, outcome: Partial<Work>, attempts = 1): Work {
  const id = `doc-${index}`;
  const record: DocumentRecord = {
    tenant: "acme",
    id,
    title: "",
    source,
    mediaType: "text/plain",
    status: "processing",
    contentHash: `hash-${index}`,
    byteSize: 100,
    chunkCount: 0,
    metadata: {},
    revision: 2,
    jobId: `job-${index}`,
    error: null,
    createdAt: NOW,
    updatedAt: NOW,
    indexedAt: null,
  };
  const job: Job<IngestJobData> = {
    id: `job-${index}`,
    data: { tenant: "acme", documentId: id, revision: 2, blobKey: `blob-${index}` },
    state: "active",
    attempts,
    maxAttempts: 3,
    progress: 0,
    error: null,
    createdAt: NOW,
    updatedAt: NOW,
    finishedAt: null,
  };
  return { index, job, record, ...outcome };
}

describe("logBatchOutcomes: ingest logs name the document and its file, not only the job", () => {
  it("writes one line per document with its id, file name, job and outcome", () => {
    const logger = recordingLogger();
    const points = [{}, {}, {}] as Work["points"];
    logBatchOutcomes(logger, [
      work(0, "handbook.pdf", { points }),
      work(1, "broken.pdf", { error: new UnprocessableDocumentError("the PDF is encrypted") }),
      work(2, "notes.md", { error: new UpstreamUnavailableError("the embedding endpoint is down") }),
      work(3, "notes.md", { error: new UpstreamUnavailableError("the embedding endpoint is down") }, 3),
      work(4, "old.txt", { superseded: true }),
    ]);
    expect(logger.lines.map(({ level, message, fields }) => [level, message, fields.documentId, fields.source, fields.jobId])).toEqual([
      ["info", "document indexed", "doc-0", "handbook.pdf", "job-0"],
      ["warn", "document ingest failed", "doc-1", "broken.pdf", "job-1"],
      ["warn", "document ingest attempt failed", "doc-2", "notes.md", "job-2"],
      ["warn", "document ingest failed", "doc-3", "notes.md", "job-3"],
      ["debug", "document superseded during ingest", "doc-4", "old.txt", "job-4"],
    ]);
    expect(logger.lines[0]!.fields).toMatchObject({ tenant: "acme", chunks: 3, revision: 2, attempt: 1 });
    expect(logger.lines[1]!.fields).toMatchObject({ error: "the PDF is encrypted", attempt: 1, maxAttempts: 3 });
    expect(logger.lines[3]!.fields).toMatchObject({ error: "the embedding endpoint is down", attempt: 3, maxAttempts: 3 });
  });
});
