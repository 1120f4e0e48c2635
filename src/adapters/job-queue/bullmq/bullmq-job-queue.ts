import { randomUUID } from "node:crypto";
import { Queue, UnrecoverableError, WaitingError, Worker, type Job as BullJob, type JobType, type RedisOptions } from "bullmq";
import { ConflictError, NotFoundError, ValidationError, isTransientError } from "../../../core/errors.js";
import { redisOptionsFromUrl } from "../../redis/redis-client.js";
import { CrashIsolation } from "./crash-isolation.js";
import type {
  BatchContext,
  BatchJobHandler,
  Job,
  JobHandler,
  JobOutcome,
  JobQueue,
  JobQueueBatchOptions,
  JobQueueStartOptions,
  JobState,
} from "../../../ports/job-queue.js";
import { perJobBatchHandler } from "../job-batches.js";
import { BatchCollector } from "./batch-collector.js";
import { type Logger, silentLogger } from "../../../ports/logger.js";

export interface BullMqJobQueueOptions {
  /**
   * `{ url }` (`redis://` or `rediss://`, optional user, password and `/db`) or ioredis options.
   * The queue opens and closes its own connections (BullMQ bundles its own ioredis).
   */
  connection: { url: string } | RedisOptions;
  /** BullMQ queue name (no `:`), e.g. `ingest`. */
  queueName: string;
  /** Key prefix, e.g. `ragline` → keys `ragline:ingest:*` (a trailing `:` is dropped). */
  prefix: string;
  /** Attempts before a transiently failing job is failed (default 5). */
  maxAttempts?: number;
  /** Delay before attempt n+1: random(0, min(maxMs, baseMs * 2^(n-1))) ("full jitter"). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** How long `close` waits for running handlers before aborting their signal (default 10 s). */
  closeGraceMs?: number;
  /** Completed jobs kept: the newest `maxCount` (default 10 000), none older than `maxAgeMs` (default 7 days). Failed jobs are kept. */
  completedRetention?: { maxCount?: number; maxAgeMs?: number };
  /**
   * Crash recovery: a worker holds a job's lock for `lockDurationMs` (default 30 s, renewed every
   * half); every `stalledIntervalMs` (default 30 s) workers move jobs whose lock expired (their
   * worker died) back to waiting. A job whose worker died `maxCrashes` times (default 3) is failed
   * with the reason "crashed the worker N times" instead of being run again.
   */
  stalled?: { lockDurationMs?: number; stalledIntervalMs?: number; maxCrashes?: number };
  logger?: Logger;
}

/** What is stored as the BullMQ job's data: the payload plus the token of the enqueue that created it. */
interface Envelope<TData> {
  payload: TData;
  enqueueToken: string;
}

const JOB_NAME = "job";
const BACKOFF_TYPE = "full-jitter";
const ABORT_SETTLE_MS = 2_000;
const PROGRESS_WRITE_INTERVAL_MS = 250;
/** How long a batch waits for more jobs after its first: BullMQ hands a worker its jobs one at a time. */
const BATCH_WINDOW_MS = 20;

/** A job handed to this worker, with what BullMQ gave along with it. */
interface HeldJob<TData> {
  job: BullJob<Envelope<TData>>;
  signal: AbortSignal | undefined;
}

/**
 * `JobQueue` on BullMQ (server mode): any number of api processes enqueue and any number of worker
 * processes run jobs, coordinated by Redis. The job id is the BullMQ job id, so concurrent
 * enqueues of one id create one job. Transient handler errors are retried with backoff; others
 * fail the job at once (`UnrecoverableError`). Failed jobs stay as dead letters. A job whose
 * worker died is run again after the stalled check, alone in its worker (see `CrashIsolation`), up
 * to `stalled.maxCrashes` crashes. `startBatches`: the worker holds up to `batchSize × concurrency`
 * jobs and a `BatchCollector` groups them into batches (a batch waits BATCH_WINDOW_MS at most for
 * more jobs while a batch slot is free); each job still completes or fails on its own in BullMQ.
 */
export class BullMqJobQueue<TData> implements JobQueue<TData> {
  private readonly options: BullMqJobQueueOptions;
  private readonly prefix: string;
  private readonly maxAttempts: number;
  private readonly logger: Logger;
  private readonly queue: Queue<Envelope<TData>, void, string>;
  private worker: Worker<Envelope<TData>, void, string> | null = null;
  private closing = false;
  private concurrency = 1;
  private readonly isolation = new CrashIsolation((alone) => {
    if (this.worker) this.worker.concurrency = alone ? 1 : this.concurrency;
  });

  constructor(options: BullMqJobQueueOptions) {
    this.options = options;
    this.prefix = options.prefix.replace(/:+$/, "");
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.logger = options.logger ?? silentLogger;
    const retention = options.completedRetention ?? {};
    this.queue = new Queue<Envelope<TData>, void, string>(options.queueName, {
      // Producer side: fail fast while Redis is unreachable instead of queueing commands.
      connection: this.connectionOptions({ maxRetriesPerRequest: 1, enableOfflineQueue: false }, "queue"),
      prefix: this.prefix,
      defaultJobOptions: {
        attempts: this.maxAttempts,
        backoff: { type: BACKOFF_TYPE, delay: options.backoff?.baseMs ?? 500 },
        removeOnComplete: { age: Math.ceil((retention.maxAgeMs ?? 7 * 24 * 3_600_000) / 1000), count: retention.maxCount ?? 10_000 },
        removeOnFail: false,
      },
    });
    this.queue.on("error", (error) => this.logger.warn({ error: error.message }, "job queue connection error"));
  }

  async enqueue(data: TData, options: { id: string }): Promise<{ job: Job<TData>; created: boolean }> {
    if (typeof options.id !== "string" || options.id.length === 0) {
      throw new ValidationError("Job id must be a non-empty string", [{ path: "id", message: "Required" }]);
    }
    const jobId = encodeJobId(options.id);
    const existing = await this.load(jobId);
    if (existing) return { job: existing.job, created: false };
    const enqueueToken = randomUUID();
    // BullMQ adds nothing when the id exists (and returns our data anyway); the stored token tells whose add created the job.
    const added = await this.queue.add(JOB_NAME, { payload: data, enqueueToken }, { jobId });
    const stored = await this.load(jobId);
    if (stored === null) return { job: this.toJob(added, "queued"), created: true };
    return { job: stored.job, created: stored.enqueueToken === enqueueToken };
  }

  async get(id: string): Promise<Job<TData> | null> {
    return (await this.load(encodeJobId(id)))?.job ?? null;
  }

  async retry(id: string): Promise<Job<TData>> {
    const jobId = encodeJobId(id);
    const job = await this.queue.getJob(jobId);
    if (!job) throw new NotFoundError(`Job ${id} not found`);
    const state = toJobState(await this.queue.getJobState(jobId));
    if (state !== "failed") throw new ConflictError(`Job ${id} is ${state}; only failed jobs can be retried`);
    try {
      // A fresh budget includes crashes: BullMQ's retry keeps the stall count and the pending stalled-limit failure.
      await (await this.queue.client).hdel(this.queue.toKey(jobId), "stc", "defa");
      await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
    } catch (error) {
      // Someone else retried it in between.
      throw new ConflictError(`Job ${id} could not be retried: ${(error as Error).message}`, { cause: error });
    }
    const retried = await this.load(jobId);
    if (!retried) throw new NotFoundError(`Job ${id} not found`);
    return retried.job;
  }

  /** Failed jobs (dead letters), most recently failed first. */
  async listFailed(options: { limit?: number; offset?: number } = {}): Promise<Job<TData>[]> {
    const offset = Math.max(0, options.offset ?? 0);
    const limit = Math.max(1, options.limit ?? 50);
    const jobs = await this.queue.getFailed(offset, offset + limit - 1);
    return jobs.filter((job): job is BullJob<Envelope<TData>> => Boolean(job)).map((job) => this.toJob(job, "failed"));
  }

  /**
   * Pages across BullMQ's types of a port state in a fixed order (for queued: waiting, then
   * prioritized, delayed, paused, waiting-children), each newest first.
   */
  async list(options: { state: JobState; limit?: number; offset?: number }): Promise<Job<TData>[]> {
    const types = BULL_TYPES[options.state];
    if (!types)
      throw new ValidationError(`unknown job state ${String(options.state)}`, [{ path: "state", message: "one of queued, active, completed, failed" }]);
    let skip = Math.max(0, Math.floor(options.offset ?? 0));
    let wanted = Math.max(1, Math.floor(options.limit ?? 50));
    const jobs: Job<TData>[] = [];
    for (const type of types) {
      if (wanted === 0) break;
      const count = await this.queue.getJobCountByTypes(type);
      if (skip >= count) {
        skip -= count;
        continue;
      }
      const page = await this.queue.getJobs([type], skip, skip + wanted - 1, false);
      skip = 0;
      for (const job of page) {
        if (!job || wanted === 0) continue;
        jobs.push(this.toJob(job as BullJob<Envelope<TData>>, options.state));
        wanted -= 1;
      }
    }
    return jobs;
  }

  async counts(): Promise<Record<JobState, number>> {
    const counts = await this.queue.getJobCounts(...Object.values(BULL_TYPES).flat());
    const total = (state: JobState) => BULL_TYPES[state].reduce((sum, type) => sum + (counts[type] ?? 0), 0);
    return { queued: total("queued"), active: total("active"), completed: total("completed"), failed: total("failed") };
  }

  /**
   * `onQuarantined` is called for each job this process's worker fails because it crashed its
   * workers `stalled.maxCrashes` times (its handler never sees that failure).
   */
  async start(handler: JobHandler<TData>, options: JobQueueStartOptions<TData> = {}): Promise<void> {
    await this.begin(perJobBatchHandler(handler), { ...options, batchSize: 1 });
  }

  async startBatches(handler: BatchJobHandler<TData>, options: JobQueueBatchOptions<TData> = {}): Promise<void> {
    await this.begin(handler, { ...options, batchSize: options.batchSize ?? 64 });
  }

  private async begin(handler: BatchJobHandler<TData>, options: JobQueueBatchOptions<TData> & { batchSize: number }): Promise<void> {
    if (this.worker !== null || this.closing) throw new Error("BullMqJobQueue can be started once, before close()");
    const stalled = this.options.stalled ?? {};
    const maxMs = this.options.backoff?.maxMs ?? 30_000;
    const batchSize = Math.max(1, options.batchSize);
    const batches = Math.max(1, options.concurrency ?? 4);
    this.concurrency = batchSize * batches;
    const runBatch = (held: Array<HeldJob<TData>>) => this.runBatch(held, handler);
    const collector = batchSize > 1 ? new BatchCollector(runBatch, { batchSize, concurrency: batches, windowMs: BATCH_WINDOW_MS }) : null;
    const runOne = async (held: HeldJob<TData>, suspect: boolean): Promise<JobOutcome> =>
      suspect || collector === null ? ((await runBatch([held]))[0] as JobOutcome) : collector.submit(held);
    // Workers block on Redis and must retry commands across reconnects: BullMQ requires maxRetriesPerRequest null.
    this.worker = new Worker<Envelope<TData>, void, string>(this.options.queueName, (job, token, signal) => this.process(job, token, signal, runOne), {
      connection: this.connectionOptions({ maxRetriesPerRequest: null, enableOfflineQueue: true }, "worker"),
      prefix: this.prefix,
      concurrency: this.concurrency,
      lockDuration: stalled.lockDurationMs ?? 30_000,
      stalledInterval: stalled.stalledIntervalMs ?? 30_000,
      // BullMQ fails a job once its stall count exceeds maxStalledCount, so the maxCrashes-th crash is the last.
      maxStalledCount: Math.max(1, stalled.maxCrashes ?? 3) - 1,
      settings: {
        backoffStrategy: (attemptsMade, _type, _error, job) => {
          const baseMs = Number(job?.opts.backoff && typeof job.opts.backoff === "object" ? job.opts.backoff.delay : 500);
          return Math.round(Math.random() * Math.min(maxMs, baseMs * 2 ** Math.max(0, attemptsMade - 1)));
        },
      },
    });
    this.worker.on("error", (error) => this.logger.warn({ error: error.message }, "job worker error"));
    this.worker.on("failed", (job, error) => {
      if (!job) return;
      const fields = { jobId: decodeJobId(job.id ?? ""), attempts: job.attemptsMade, error: failureReason(job) ?? error.message };
      const willRetry = !(error instanceof UnrecoverableError) && job.attemptsMade < (job.opts.attempts ?? 1);
      if (willRetry) this.logger.info(fields, "job attempt failed, retrying");
      else this.logger.warn(fields, "job failed");
      if (job.failedReason === STALLED_LIMIT_REASON && options.onQuarantined) {
        options
          .onQuarantined(this.toJob(job, "failed"))
          .catch((error: unknown) => this.logger.warn({ ...fields, error: String(error) }, "onQuarantined failed"));
      }
    });
    await this.worker.waitUntilReady();
  }

  async close(): Promise<void> {
    this.closing = true;
    const worker = this.worker;
    if (worker !== null) {
      const closed = worker.close();
      if (!(await settlesWithin(closed, this.options.closeGraceMs ?? 10_000))) {
        this.logger.warn({}, "aborting jobs still running after the close grace period");
        worker.cancelAllJobs("Job queue is closing");
        if (!(await settlesWithin(closed, ABORT_SETTLE_MS))) await worker.close(true);
      }
    }
    await this.queue.close().catch((error: unknown) => this.logger.warn({ error: String(error) }, "could not close the job queue"));
  }

  /** Runs jobs handed to this worker as one batch; a handler that throws fails each of them with its error. */
  private async runBatch(held: Array<HeldJob<TData>>, handler: BatchJobHandler<TData>): Promise<JobOutcome[]> {
    let progressWrittenAt = 0;
    const signals = held.flatMap((entry) => (entry.signal ? [entry.signal] : []));
    const context: BatchContext = {
      signal: signals.length > 0 ? AbortSignal.any(signals) : new AbortController().signal,
      reportProgress: async (progress) => {
        if (!Number.isFinite(progress) || Date.now() - progressWrittenAt < PROGRESS_WRITE_INTERVAL_MS) return;
        progressWrittenAt = Date.now();
        await Promise.all(held.map((entry) => entry.job.updateProgress(Math.min(1, Math.max(0, progress)))));
      },
    };
    try {
      const outcomes = await handler(
        held.map((entry) => this.toJob(entry.job, "active")),
        context,
      );
      if (outcomes.length !== held.length) throw new Error(`the batch handler returned ${outcomes.length} outcomes for ${held.length} jobs`);
      return outcomes;
    } catch (error) {
      return held.map(() => ({ ok: false, error }));
    }
  }

  private async process(
    job: BullJob<Envelope<TData>>,
    token: string | undefined,
    signal: AbortSignal | undefined,
    runOne: (held: HeldJob<TData>, suspect: boolean) => Promise<JobOutcome>,
  ): Promise<void> {
    const sendBack = async () => {
      if (token !== undefined) await job.moveToWait(token);
      throw new WaitingError();
    };
    const suspect = (job.stalledCounter ?? 0) > 0;
    try {
      await this.isolation.run(
        suspect,
        async () => {
          const outcome = await runOne({ job, signal }, suspect);
          if (!outcome.ok) throw outcome.error;
        },
        sendBack,
      );
    } catch (error) {
      if (error instanceof WaitingError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      // Interrupted by shutdown, not by its own fault: back to waiting, for another worker.
      if (this.closing && signal?.aborted) await sendBack();
      if (!isTransientError(error)) throw new UnrecoverableError(message);
      throw error instanceof Error ? error : new Error(message);
    }
  }

  /**
   * State first, then the job hash: a job that finishes in between is reported in its earlier state
   * with its final fields, never as finished without its result (the other order could do that).
   */
  private async load(jobId: string): Promise<{ job: Job<TData>; enqueueToken: string } | null> {
    const state = await this.queue.getJobState(jobId);
    const job = await this.queue.getJob(jobId);
    if (!job) return null;
    return { job: this.toJob(job, toJobState(state)), enqueueToken: job.data.enqueueToken };
  }

  private toJob(job: BullJob<Envelope<TData>>, state: JobState): Job<TData> {
    const updatedAt = Math.max(job.timestamp, job.processedOn ?? 0, job.finishedOn ?? 0);
    const finished = state === "completed" || state === "failed";
    return {
      id: decodeJobId(job.id ?? ""),
      data: job.data.payload,
      state,
      attempts: job.attemptsStarted || job.attemptsMade || 0,
      maxAttempts: job.opts.attempts ?? this.maxAttempts,
      progress: state === "completed" ? 1 : typeof job.progress === "number" ? job.progress : 0,
      error: state === "completed" ? null : failureReason(job),
      createdAt: new Date(job.timestamp).toISOString(),
      updatedAt: new Date(updatedAt).toISOString(),
      finishedAt: finished && job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    };
  }

  private connectionOptions(settings: { maxRetriesPerRequest: number | null; enableOfflineQueue: boolean }, role: string): RedisOptions {
    const { connection } = this.options;
    const base = "url" in connection && typeof connection.url === "string" ? redisOptionsFromUrl(connection.url) : (connection as RedisOptions);
    return {
      connectTimeout: 2_000,
      // Reconnect forever, at most every 2 s.
      retryStrategy: (times: number) => Math.min(2_000, 50 * 2 ** Math.min(times - 1, 16)),
      ...base,
      ...settings,
      connectionName: `ragline:${this.options.queueName}:${role}`,
    };
  }
}

/** BullMQ's reason for a job failed by the stalled check, replaced by one that says what happened. */
const STALLED_LIMIT_REASON = "job stalled more than allowable limit";

function failureReason(job: BullJob): string | null {
  if (job.failedReason === STALLED_LIMIT_REASON) return `crashed the worker ${job.stalledCounter} times`;
  return job.failedReason || null;
}

/** The BullMQ types each port state covers (what `toJobState` maps back). */
const BULL_TYPES: Record<JobState, JobType[]> = {
  queued: ["waiting", "prioritized", "delayed", "paused", "waiting-children"],
  active: ["active"],
  completed: ["completed"],
  failed: ["failed"],
};

/** BullMQ states → port states; waiting, delayed (backoff), prioritized and waiting-children are all "queued". */
function toJobState(state: string): JobState {
  if (state === "active" || state === "completed" || state === "failed") return state;
  return "queued";
}

/**
 * BullMQ refuses ids that are integers or contain `:`; `%` and `:` are escaped and an integer-like
 * id gets a `%N` mark (never produced by escaping), so every string maps to a distinct valid id.
 */
export function encodeJobId(id: string): string {
  const escaped = id.replace(/%/g, "%25").replace(/:/g, "%3A");
  return `${Number.parseInt(escaped, 10)}` === escaped ? `%N${escaped}` : escaped;
}

export function decodeJobId(jobId: string): string {
  const escaped = jobId.startsWith("%N") ? jobId.slice(2) : jobId;
  return escaped.replace(/%(25|3A)/g, (escape) => (escape === "%25" ? "%" : ":"));
}

async function settlesWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const settled = promise.then(
    () => true,
    () => true,
  );
  const result = await Promise.race([settled, timedOut]);
  clearTimeout(timer);
  return result;
}
