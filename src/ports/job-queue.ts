export type JobState = "queued" | "active" | "completed" | "failed";

export interface Job<TData> {
  id: string;
  data: TData;
  state: JobState;
  /** Attempts started so far. */
  attempts: number;
  maxAttempts: number;
  /** 0..1 */
  progress: number;
  /** Reason of the last failure, null when none. */
  error: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface JobContext {
  reportProgress(progress: number): Promise<void>;
  signal: AbortSignal;
}

export type JobHandler<TData> = (job: Job<TData>, context: JobContext) => Promise<void>;

/**
 * Port for the ingest queue (in-process with state persisted in DATA_DIR embedded, BullMQ in
 * server mode).
 *
 * Contract:
 * - `enqueue` is idempotent on `id`: a job that already exists (any state) is returned with
 *   `created: false` and not queued again.
 * - A handler error that is transient (see `isTransientError`) is retried with exponential backoff
 *   up to `maxAttempts`; any other error fails the job at once. Failed jobs are dead letters:
 *   `listFailed` lists them and `retry` queues one again with a fresh attempt budget.
 * - Jobs accepted before a crash are run again after restart (handlers must be idempotent).
 */
export interface JobQueue<TData> {
  enqueue(data: TData, options: { id: string }): Promise<{ job: Job<TData>; created: boolean }>;
  get(id: string): Promise<Job<TData> | null>;
  retry(id: string): Promise<Job<TData>>;
  listFailed(options?: { limit?: number; offset?: number }): Promise<Job<TData>[]>;
  /** Starts processing with the handler; resolves once workers are running. */
  start(handler: JobHandler<TData>, options?: { concurrency?: number }): Promise<void>;
  /** Stops taking new jobs and waits for running ones (or aborts them after the grace period). */
  close(): Promise<void>;
}
