import type { DocumentRepository } from "../ports/document-repository.js";
import type { Job } from "../ports/job-queue.js";
import type { IngestJobData } from "./ingest-job.js";
import type { Logger } from "../ports/logger.js";

/**
 * The failure path of an ingest job the queue failed on its own (it crashed the worker too many
 * times, so `ingestBatch` never saw it fail): the document is marked `failed` with the job's
 * reason, unless a newer revision or a delete has replaced the job meanwhile, or the job's work was
 * done: a document already `indexed` by this job (its lock was lost, e.g. Redis paused, after the
 * chunks and the record were written) stays indexed. A document marked failed is logged with its id
 * and file name (source), not only the job.
 */
export async function failQuarantinedIngest(
  deps: { documents: DocumentRepository; now?: () => Date; logger?: Logger },
  job: Job<IngestJobData>,
): Promise<void> {
  const { tenant, documentId } = job.data;
  const record = await deps.documents.get(tenant, documentId);
  if (!record || record.jobId !== job.id || record.status === "indexed") return;
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const error = job.error ?? "ingest failed";
  await deps.documents.update(tenant, documentId, { status: "failed", error, updatedAt: now });
  deps.logger?.warn({ tenant, documentId, source: record.source, revision: record.revision, jobId: job.id, error }, "document ingest failed: quarantined");
}
