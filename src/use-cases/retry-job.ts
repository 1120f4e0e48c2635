import type { KeyedLock } from "../core/keyed-lock.js";
import type { DocumentRepository } from "../ports/document-repository.js";
import type { Job, JobQueue } from "../ports/job-queue.js";
import { getJob } from "./get-job.js";
import type { IngestJobData } from "./ingest-job.js";

export interface RetryJobDeps {
  queue: JobQueue<IngestJobData>;
  documents: DocumentRepository;
  locks: KeyedLock;
  now?: () => Date;
}

/**
 * Queues a failed ingest job of `tenant` again with a fresh attempt budget and returns it.
 * NotFoundError for an unknown job or another tenant's; ConflictError (from the queue) when the job
 * has not failed. When the job brings its document to the current revision, the document goes back
 * to `queued` with its error cleared. A job of a superseded revision (or a deleted document) is
 * queued too, and completes without touching the document or needing its blob, which clears the
 * dead letter.
 */
export async function retryJob(deps: RetryJobDeps, input: { tenant: string; jobId: string }): Promise<Job<IngestJobData>> {
  const job = await getJob(deps, input);
  const { tenant, documentId } = job.data;
  return deps.locks.run(`${tenant}\u0000${documentId}`, async () => {
    const record = await deps.documents.get(tenant, documentId);
    // Only a failed job is retried; for any other the queue refuses and the record stays as it is.
    if (!record || record.jobId !== job.id || job.state !== "failed") return deps.queue.retry(job.id);
    // The record is flipped before the job can run again, so the job's own updates always come last.
    const now = (deps.now ?? (() => new Date()))().toISOString();
    await deps.documents.update(tenant, documentId, { status: "queued", error: null, updatedAt: now });
    try {
      return await deps.queue.retry(job.id);
    } catch (error) {
      await deps.documents.update(tenant, documentId, { status: record.status, error: record.error, updatedAt: record.updatedAt });
      throw error;
    }
  });
}
