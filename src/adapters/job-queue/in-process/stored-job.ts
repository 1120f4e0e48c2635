import { join } from "node:path";
import { readJsonDirectory, removeFile, removeStaleTemporaryFiles } from "../../blob-store/file/atomic-file.js";
import type { AppendOnlyJournal } from "./append-only-journal.js";
import type { Job, JobState } from "../../../ports/job-queue.js";
import { type Logger } from "../../../ports/logger.js";

// The in-process queue's record of a job: the public Job plus scheduling fields, and the helpers that
// read, change and order such records.

export interface StoredJob<TData> extends Job<TData> {
  /** Not run before this instant (backoff between attempts); null when due. */
  runAt: string | null;
  /** Enqueue order, tie-breaker for jobs created in the same millisecond. */
  sequence: number;
}

const JOB_STATES: ReadonlySet<string> = new Set<JobState>(["queued", "active", "completed", "failed"]);
const STALE_TEMPORARY_FILE_MS = 60_000;

/**
 * Loads the journal and returns its jobs by id. Jobs of a directory written by an earlier version (one
 * JSON file per job) are added to the journal and their files removed; the journal wins over a file
 * for the same id. Unreadable entries are reported and skipped.
 */
export async function loadStoredJobs<TData>(journal: AppendOnlyJournal, directory: string, logger: Logger): Promise<Map<string, StoredJob<TData>>> {
  const jobs = new Map<string, StoredJob<TData>>();
  for (const [id, value] of await journal.load()) {
    const job = parseStoredJob<TData>(value);
    if (job === null || job.id !== id) logger.warn({ jobId: id }, "skipping an unreadable job in the journal");
    else jobs.set(id, job);
  }
  await removeStaleTemporaryFiles(directory, STALE_TEMPORARY_FILE_MS);
  for (const { fileName, value } of await readJsonDirectory(directory)) {
    const path = join(directory, fileName);
    const job = parseStoredJob<TData>(value);
    if (job === null) {
      logger.warn({ file: path }, "skipping unreadable job file");
      continue;
    }
    if (!jobs.has(job.id)) {
      jobs.set(job.id, job);
      await journal.put(job.id, job);
    }
    await removeFile(path);
  }
  return jobs;
}

/** Typed `Object.assign`, so a misspelt field or state does not compile. */
export function assignJob<TData>(job: StoredJob<TData>, changes: Partial<StoredJob<TData>>): void {
  Object.assign(job, changes);
}

export function toPublicJob<TData>(job: StoredJob<TData>): Job<TData> {
  const { runAt: _runAt, sequence: _sequence, ...publicJob } = job;
  return publicJob;
}

function parseStoredJob<TData>(value: unknown): StoredJob<TData> | null {
  if (typeof value !== "object" || value === null) return null;
  const job = value as Partial<StoredJob<TData>>;
  const valid =
    typeof job.id === "string" &&
    typeof job.state === "string" &&
    JOB_STATES.has(job.state) &&
    typeof job.attempts === "number" &&
    typeof job.maxAttempts === "number" &&
    typeof job.createdAt === "string";
  if (!valid) return null;
  return {
    progress: 0,
    error: null,
    finishedAt: null,
    updatedAt: job.createdAt,
    ...job,
    runAt: job.runAt ?? null,
    sequence: job.sequence ?? 0,
  } as StoredJob<TData>;
}

export function finishedAt(job: Job<unknown>): string {
  return job.finishedAt ?? job.updatedAt;
}

export function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
