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

/** What `start` takes besides the handler. */
export interface JobQueueStartOptions<TData> {
  /** Handlers running at once in this process (default 4). */
  concurrency?: number;
  /**
   * Called once for each job the queue fails on its own, without its handler having thrown: the job
   * crashed its worker process `maxCrashes` times (the handler never saw that failure, so whatever
   * it records about its jobs must be settled here). The job passed is failed, with its reason.
   */
  onQuarantined?: (job: Job<TData>) => Promise<void>;
}

/**
 * Port for the ingest queue (a jobs table in the embedded SQLite database, BullMQ in server mode).
 *
 * Contract:
 * - `enqueue` is idempotent on `id`: a job that already exists (any state) is returned with
 *   `created: false` and not queued again.
 * - A handler error that is transient (see `isTransientError`) is retried with exponential backoff
 *   up to `maxAttempts`; any other error fails the job at once. Failed jobs are dead letters:
 *   `listFailed` lists them and `retry` queues one again with a fresh attempt budget.
 * - Jobs accepted before a crash are run again after restart (handlers must be idempotent). An
 *   attempt cut short by a crash does not use the retry budget, but a job that crashed its worker
 *   `maxCrashes` times is failed ("crashed the worker N times") instead of being run again, and
 *   reported to `onQuarantined`.
 */
export interface JobQueue<TData> {
  enqueue(data: TData, options: { id: string }): Promise<{ job: Job<TData>; created: boolean }>;
  get(id: string): Promise<Job<TData> | null>;
  retry(id: string): Promise<Job<TData>>;
  listFailed(options?: { limit?: number; offset?: number }): Promise<Job<TData>[]>;
  /**
   * Jobs in `state`, newest first: queued and active ones by when they were enqueued, completed and
   * failed ones by when they finished; `offset`/`limit` page through them (default limit 50).
   * A job appears once on a page; one that changes state between two pages may be missed or repeated.
   */
  list(options: { state: JobState; limit?: number; offset?: number }): Promise<Job<TData>[]>;
  /** How many jobs are in each state now (queue depth is `queued`, in flight is `active`). */
  counts(): Promise<Record<JobState, number>>;
  /** Starts processing with the handler; resolves once workers are running. */
  start(handler: JobHandler<TData>, options?: JobQueueStartOptions<TData>): Promise<void>;
  /** Stops taking new jobs and waits for running ones (or aborts them after the grace period). */
  close(): Promise<void>;
}
