import type { Job, JobQueue } from "../ports/job-queue.js";
import type { IngestJobData } from "./ingest-job.js";

// Dead letters are few; the tenant filter runs over a bounded window of the newest ones.
const FAILED_WINDOW = 1_000;

/** A page of `tenant`'s failed ingest jobs (the dead letters), newest first, and how many there are in the window read. */
export async function listFailedJobs(
  deps: { queue: JobQueue<IngestJobData> },
  input: { tenant: string; limit: number; offset: number },
): Promise<{ jobs: Job<IngestJobData>[]; total: number }> {
  const failed = await deps.queue.listFailed({ limit: FAILED_WINDOW, offset: 0 });
  const own = failed.filter((job) => job.data.tenant === input.tenant);
  return { jobs: own.slice(input.offset, input.offset + input.limit), total: own.length };
}
