import type { DocumentStatus, DocumentRepository } from "../ports/document-repository.js";
import type { Job, JobQueue, JobState } from "../ports/job-queue.js";
import type { IngestJobData } from "./ingest-job.js";

/** The document status that goes with each job state (ingest keeps them in step). */
const STATUS_OF_STATE: Record<JobState, DocumentStatus> = { queued: "queued", active: "processing", completed: "indexed", failed: "failed" };

/**
 * A page of `tenant`'s ingest jobs in `state`, newest document first. The queue is shared by every
 * tenant, so the tenant's documents in the matching status are the index (one query on SQL in both
 * modes) and each one's current job is read from the queue. A job that moved on between the two
 * reads, or a finished one the queue already pruned, is left out: a page may hold fewer than
 * `limit` jobs while `nextCursor` still leads on.
 */
export async function listJobs(
  deps: { documents: DocumentRepository; queue: JobQueue<IngestJobData> },
  input: { tenant: string; state: JobState; limit: number; cursor?: string },
): Promise<{ jobs: Job<IngestJobData>[]; nextCursor: string | null }> {
  const page = await deps.documents.list(input.tenant, { limit: input.limit, cursor: input.cursor, status: STATUS_OF_STATE[input.state] });
  const jobs = await Promise.all(page.items.map((record) => deps.queue.get(record.jobId)));
  return {
    jobs: jobs.filter((job): job is Job<IngestJobData> => job !== null && job.state === input.state && job.data.tenant === input.tenant),
    nextCursor: page.nextCursor,
  };
}
