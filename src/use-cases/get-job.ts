import { NotFoundError } from "../core/errors.js";
import type { Job, JobQueue } from "../ports/job-queue.js";
import type { IngestJobData } from "./ingest-job.js";

/** The ingest job `jobId` if it belongs to `tenant`; NotFoundError otherwise (another tenant's job is not found either). */
export async function getJob(deps: { queue: JobQueue<IngestJobData> }, input: { tenant: string; jobId: string }): Promise<Job<IngestJobData>> {
  const job = await deps.queue.get(input.jobId);
  if (!job || job.data.tenant !== input.tenant) throw new NotFoundError(`job ${input.jobId} not found`);
  return job;
}
