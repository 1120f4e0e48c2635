import { isTransientError } from "../../../core/errors.js";
import type { Job, JobOutcome } from "../../../ports/job-queue.js";
import { completeHeldJobs, updateHeldJob, type Database } from "./sql-job-rows.js";
import type { Kysely } from "kysely";
import type { SqlDatabase } from "../../sql/sql-schema.js";

/** What a batch's outcomes do to its jobs. */
export interface Settlement {
  completed: string[];
  /** Transient failures with attempts left: queued again after `delayMs`. */
  retried: Array<{ id: string; attempts: number; message: string; delayMs: number }>;
  /** Permanent failures and last attempts: dead letters. */
  failed: Array<{ id: string; attempts: number; message: string }>;
}

/** Delay before attempt n+1: random(0, min(maxMs, baseMs * 2^(n-1))) ("full jitter"). */
export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
}

/** Decides each job's fate from its outcome (`skip`: a failure left alone, e.g. cut short by a shutdown). */
export function planSettlement<TData>(
  jobs: Array<Job<TData>>,
  outcomes: JobOutcome[],
  backoff: BackoffSettings,
  skip: (error: unknown) => boolean = () => false,
): Settlement {
  const settlement: Settlement = { completed: [], retried: [], failed: [] };
  jobs.forEach((job, index) => {
    const outcome = outcomes[index] ?? { ok: false, error: new Error("the batch handler returned no outcome for this job") };
    if (outcome.ok) return void settlement.completed.push(job.id);
    if (skip(outcome.error)) return;
    const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    if (isTransientError(outcome.error) && job.attempts < job.maxAttempts) {
      const delayMs = Math.random() * Math.min(backoff.maxMs, backoff.baseMs * 2 ** (job.attempts - 1));
      settlement.retried.push({ id: job.id, attempts: job.attempts, message, delayMs });
    } else settlement.failed.push({ id: job.id, attempts: job.attempts, message });
  });
  return settlement;
}

/** Writes a settlement, each change guarded by `owner`'s lease, in one transaction (one statement when that is all). */
export async function writeSettlement(db: Kysely<SqlDatabase>, owner: string, settlement: Settlement, now: Date): Promise<void> {
  const at = now.toISOString();
  const released = { updated_at: at, lease_owner: null, lease_expires_at: null };
  const write = async (target: Database) => {
    if (settlement.completed.length > 0) await completeHeldJobs(target, settlement.completed, owner, at);
    for (const job of settlement.retried) {
      const runAfter = new Date(now.getTime() + job.delayMs).toISOString();
      await updateHeldJob(target, job.id, owner, { ...released, error: job.message, state: "queued", run_after: runAfter });
    }
    for (const job of settlement.failed) await updateHeldJob(target, job.id, owner, { ...released, error: job.message, state: "failed", finished_at: at });
  };
  const statements = (settlement.completed.length > 0 ? 1 : 0) + settlement.retried.length + settlement.failed.length;
  if (statements <= 1) await write(db);
  else await db.transaction().execute(write);
}
