import type { BatchJobHandler, JobHandler, JobOutcome } from "../../ports/job-queue.js";

/** Splits `items` into at most `slots` batches of at most `batchSize` each, as even as possible, in order. */
export function splitIntoBatches<T>(items: T[], batchSize: number, slots: number): T[][] {
  const count = Math.min(items.length, Math.max(1, slots) * Math.max(1, batchSize));
  if (count === 0) return [];
  const batches = Math.ceil(count / Math.max(1, batchSize));
  const result: T[][] = [];
  let start = 0;
  for (let index = 0; index < batches; index += 1) {
    const size = Math.floor(count / batches) + (index < count % batches ? 1 : 0);
    result.push(items.slice(start, start + size));
    start += size;
  }
  return result;
}

/** A per-job handler run as the handler of one-job batches: its throw is that job's failure. */
export function perJobBatchHandler<TData>(handler: JobHandler<TData>): BatchJobHandler<TData> {
  return async (jobs, context) =>
    Promise.all(
      jobs.map(async (job): Promise<JobOutcome> => {
        try {
          await handler(job, context);
          return { ok: true };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
}
