import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { ValidationError } from "../../../core/errors.js";
import type { BatchJobHandler, Job, JobHandler, JobOutcome, JobQueue, JobQueueBatchOptions, JobQueueStartOptions, JobState } from "../../../ports/job-queue.js";
import { type Logger, silentLogger } from "../../../ports/logger.js";
import { insertJobRow } from "../../sql/job-rows.js";
import type { SqlState } from "../../sql/open-database.js";
import { pruneCompletedJobs, reconcileCrashedJobs } from "./sql-job-maintenance.js";
import { claimJobs, findJobRow, releaseHeldJobs, renewLeases, requeueFailedJob, toJob, updateHeldJobs } from "./sql-job-rows.js";
import { countJobsByState, listJobRows } from "./sql-job-listing.js";
import { planSettlement, writeSettlement, type Settlement } from "./sql-job-settlement.js";
import { perJobBatchHandler, splitIntoBatches } from "../job-batches.js";
import { createProgressWriter } from "./progress-writer.js";
import { createClaimScheduler, type ClaimScheduler } from "./claim-scheduler.js";

export interface SqlJobQueueOptions {
  /** The process's open database (the queue never closes it). */
  state: Pick<SqlState, "db" | "dialect">;
  /** Attempts before a transiently failing job is failed (default 5). */
  maxAttempts?: number;
  /** Crashes of the worker process during a job's attempts before the job is failed (default 3). */
  maxCrashes?: number;
  /** Delay before attempt n+1: random(0, min(maxMs, baseMs * 2^(n-1))) ("full jitter"). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** How long `close` waits for running handlers before aborting their signal (default 10 s). */
  closeGraceMs?: number;
  /** How long a claim is valid unless renewed; renewed every third of it while the job runs (default 30 s). */
  leaseMs?: number;
  /** How often an idle queue looks for due jobs it was not woken for (default 250 ms). */
  pollIntervalMs?: number;
  /** Completed jobs kept: the newest `maxCount` (default 10 000), none older than `maxAgeMs` (default 7 days). */
  completedRetention?: { maxCount?: number; maxAgeMs?: number };
  logger?: Logger;
}

const ABORT_SETTLE_MS = 2_000;
const PRUNE_EVERY_COMPLETIONS = 1_000;

interface RunningBatch {
  jobIds: string[];
  controller: AbortController;
  execution: Promise<void>;
}

/**
 * `JobQueue` on the `jobs` table (embedded mode: SQLite in DATA_DIR, written through Kysely). Workers
 * of this process claim due jobs under a lease in one transaction (see `claimJobs`) — as many as the
 * free batch slots take — renew the lease while they run and settle each batch's attempts in one
 * transaction guarded by that lease (`start` runs one-job batches). At `start` (and every
 * lease period) jobs left active by a dead process count a crash and run again, alone, or are failed
 * at `maxCrashes` (see `reconcileCrashedJobs`). FIFO by creation; job data must be JSON-serialisable.
 * One started queue per database: SQLite's exclusive lock makes that one process.
 */
export class SqlJobQueue<TData> implements JobQueue<TData> {
  private readonly db: SqlState["db"];
  private readonly dialect: SqlState["dialect"];
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly maxAttempts: number;
  private readonly maxCrashes: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly closeGraceMs: number;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly retention: { maxCount: number; maxAgeMs: number };
  private readonly logger: Logger;
  /** Running batches by sequence number. */
  private readonly running = new Map<number, RunningBatch>();
  private batchSequence = 0;
  private handler: BatchJobHandler<TData> | null = null;
  private onQuarantined: NonNullable<JobQueueStartOptions<TData>["onQuarantined"]> = async () => {};
  /** Batches at once, and jobs per batch (1 under `start`). */
  private concurrency = 4;
  private batchSize = 1;
  private closing = false;
  /** A crash suspect is running: nothing else is claimed until it settles. */
  private runningAlone = false;
  private readonly scheduler: ClaimScheduler;
  private maintenanceTimer: NodeJS.Timeout | null = null;
  private lastCreatedAt = 0;
  private completionsSincePrune = 0;
  private settledWaiters: Array<() => void> = [];

  constructor(options: SqlJobQueueOptions) {
    this.db = options.state.db;
    this.dialect = options.state.dialect;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.maxCrashes = options.maxCrashes ?? 3;
    this.backoffBaseMs = options.backoff?.baseMs ?? 500;
    this.backoffMaxMs = options.backoff?.maxMs ?? 30_000;
    this.closeGraceMs = options.closeGraceMs ?? 10_000;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.retention = { maxCount: options.completedRetention?.maxCount ?? 10_000, maxAgeMs: options.completedRetention?.maxAgeMs ?? 7 * 24 * 3_600_000 };
    this.logger = options.logger ?? silentLogger;
    this.scheduler = createClaimScheduler(() => this.claim().catch((error: unknown) => this.logError("could not claim jobs", error)), this.pollIntervalMs);
  }

  async enqueue(data: TData, options: { id: string }): Promise<{ job: Job<TData>; created: boolean }> {
    if (typeof options.id !== "string" || options.id.length === 0) {
      throw new ValidationError("Job id must be a non-empty string", [{ path: "id", message: "Required" }]);
    }
    // Woken even when the job existed: an upload inserts its job in its own transaction, then enqueues to wake the queue.
    const existing = await this.get(options.id);
    if (existing) {
      this.wake();
      return { job: existing, created: false };
    }
    // Strictly increasing creation times keep FIFO order by created_at for jobs enqueued here.
    this.lastCreatedAt = Math.max(Date.now(), this.lastCreatedAt + 1);
    const created = await insertJobRow(this.db, { id: options.id, data, maxAttempts: this.maxAttempts, now: new Date(this.lastCreatedAt).toISOString() });
    const row = await findJobRow(this.db, options.id);
    if (!row) throw new Error(`job ${options.id} vanished right after it was enqueued`);
    this.wake();
    return { job: toJob<TData>(row), created };
  }

  async get(id: string): Promise<Job<TData> | null> {
    const row = await findJobRow(this.db, id);
    return row ? toJob<TData>(row) : null;
  }

  async retry(id: string): Promise<Job<TData>> {
    const row = await requeueFailedJob(this.db, id, this.maxAttempts, new Date().toISOString());
    this.wake();
    return toJob<TData>(row);
  }

  /** Failed jobs (dead letters), most recently failed first. */
  async listFailed(options: { limit?: number; offset?: number } = {}): Promise<Job<TData>[]> {
    const rows = await this.db
      .selectFrom("jobs")
      .selectAll()
      .where("state", "=", "failed")
      .orderBy("finished_at", "desc")
      .orderBy("id")
      .limit(options.limit ?? 50)
      .offset(options.offset ?? 0)
      .execute();
    return rows.map((row) => toJob<TData>(row));
  }

  async list(options: { state: JobState; limit?: number; offset?: number }): Promise<Job<TData>[]> {
    const rows = await listJobRows(this.db, { dialect: this.dialect, state: options.state, limit: options.limit ?? 50, offset: options.offset ?? 0 });
    return rows.map((row) => toJob<TData>(row));
  }

  async counts(): Promise<Record<JobState, number>> {
    return countJobsByState(this.db);
  }

  async start(handler: JobHandler<TData>, options: JobQueueStartOptions<TData> = {}): Promise<void> {
    await this.begin(perJobBatchHandler(handler), { ...options, batchSize: 1 });
  }

  async startBatches(handler: BatchJobHandler<TData>, options: JobQueueBatchOptions<TData> = {}): Promise<void> {
    await this.begin(handler, { ...options, batchSize: options.batchSize ?? 64 });
  }

  private async begin(handler: BatchJobHandler<TData>, options: JobQueueBatchOptions<TData> & { batchSize: number }): Promise<void> {
    if (this.handler !== null || this.closing) throw new Error("SqlJobQueue can be started once, before close()");
    this.handler = handler;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.batchSize = Math.max(1, options.batchSize);
    if (options.onQuarantined) this.onQuarantined = options.onQuarantined;
    await this.maintain();
    this.maintenanceTimer = setInterval(
      () => void this.maintain().catch((error: unknown) => this.logError("queue maintenance failed", error)),
      this.leaseMs / 3,
    );
    this.wake();
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.scheduler.stop();
    if (!(await this.waitForRunning(this.closeGraceMs))) {
      this.logger.warn({ jobIds: [...this.running.values()].flatMap((batch) => batch.jobIds) }, "aborting jobs still running after the close grace period");
      for (const { controller } of this.running.values()) controller.abort(new Error("Job queue is closing"));
      await this.waitForRunning(ABORT_SETTLE_MS);
    }
    if (this.maintenanceTimer !== null) clearInterval(this.maintenanceTimer);
    // Attempts cut short by the shutdown (aborted, or ignoring the abort); a handler finishing later finds its lease gone.
    await releaseHeldJobs(this.db, this.owner, new Date().toISOString()).catch((error: unknown) =>
      this.logError("could not give interrupted jobs back", error),
    );
  }

  /**
   * Resolves once no job is queued (including waiting for a retry) or active. Never resolves while
   * jobs are queued and the queue is not started (or closed). For tests and scripts.
   */
  async onIdle(): Promise<void> {
    for (;;) {
      if (this.running.size === 0 && !this.scheduler.busy()) {
        const pending = await this.db.selectFrom("jobs").select("id").where("state", "in", ["queued", "active"]).limit(1).executeTakeFirst();
        if (!pending && this.running.size === 0 && !this.scheduler.busy()) return;
      }
      await new Promise<void>((resolve) => {
        this.settledWaiters.push(resolve);
        setTimeout(resolve, this.pollIntervalMs);
      });
    }
  }

  /** Reconciles crashed jobs, renews this process's leases and prunes old completed jobs. */
  private async maintain(): Promise<void> {
    const now = new Date();
    await renewLeases(this.db, this.owner, new Date(now.getTime() + this.leaseMs).toISOString());
    const options = { owner: this.owner, maxCrashes: this.maxCrashes, now: now.toISOString(), otherOwnersAreGone: this.dialect === "sqlite" };
    const { requeued, quarantined } = await reconcileCrashedJobs(this.db, options);
    for (const row of requeued) this.logger.warn({ jobId: row.id, crashes: row.crashes }, "job was running when its process died; it runs again alone");
    for (const row of quarantined) {
      this.logger.error({ jobId: row.id, crashes: row.crashes }, "job failed: it crashed the worker too many times");
      await this.onQuarantined(toJob<TData>(row)).catch((error: unknown) => this.logError("onQuarantined failed", error, row.id));
    }
    if (this.completionsSincePrune === 0 || this.completionsSincePrune >= PRUNE_EVERY_COMPLETIONS) {
      this.completionsSincePrune = 1;
      await pruneCompletedJobs(this.db, { ...this.retention, now });
    }
  }

  private wake(): void {
    if (this.handler !== null && !this.closing) this.scheduler.wake();
  }

  private async claim(): Promise<void> {
    const free = this.concurrency - this.running.size;
    if (free <= 0 || this.runningAlone) return;
    const now = Date.now();
    const { rows, alone } = await claimJobs(this.db, {
      dialect: this.dialect,
      owner: this.owner,
      limit: free * this.batchSize,
      mayRunAlone: this.running.size === 0,
      now: new Date(now).toISOString(),
      leaseExpiresAt: new Date(now + this.leaseMs).toISOString(),
    });
    if (alone && rows.length > 0) this.runningAlone = true;
    for (const batch of splitIntoBatches(rows, this.batchSize, free)) this.run(batch.map((row) => toJob<TData>(row)));
  }

  private run(jobs: Array<Job<TData>>): void {
    const sequence = ++this.batchSequence;
    const controller = new AbortController();
    const execution = this.execute(jobs, controller).finally(() => {
      this.running.delete(sequence);
      if (this.running.size === 0) this.runningAlone = false;
      this.settledWaiters.splice(0).forEach((resolve) => resolve());
      this.wake();
    });
    this.running.set(sequence, { jobIds: jobs.map((job) => job.id), controller, execution });
  }

  private async execute(jobs: Array<Job<TData>>, controller: AbortController): Promise<void> {
    const ids = jobs.map((job) => job.id);
    const progress = createProgressWriter(async (value) => {
      await updateHeldJobs(this.db, ids, this.owner, { progress: value, updated_at: new Date().toISOString() }).catch((error: unknown) =>
        this.logError("could not write job progress", error, ids[0]),
      );
    });
    let outcomes: JobOutcome[];
    try {
      outcomes = await this.handler!(jobs, { signal: controller.signal, reportProgress: progress.report });
      if (outcomes.length !== jobs.length) throw new Error(`the batch handler returned ${outcomes.length} outcomes for ${jobs.length} jobs`);
    } catch (error) {
      outcomes = jobs.map(() => ({ ok: false, error }));
    }
    progress.stop();
    // Attempts cut short by close() are given back to the queue by close().
    const cutShort = () => controller.signal.aborted && this.closing;
    const settlement = planSettlement(jobs, outcomes, { baseMs: this.backoffBaseMs, maxMs: this.backoffMaxMs }, cutShort);
    const now = new Date();
    try {
      await writeSettlement(this.db, this.owner, settlement, now);
    } catch (error) {
      // The jobs stay active: the next maintenance reconciles them as crashed.
      this.logError("could not write job state", error, ids[0]);
      return;
    }
    this.completionsSincePrune += settlement.completed.length;
    this.logSettlement(settlement, now.getTime());
  }

  private logSettlement(settlement: Settlement, now: number): void {
    for (const job of settlement.retried) {
      this.scheduler.wakeAt(now + job.delayMs);
      this.logger.info({ jobId: job.id, attempts: job.attempts, delayMs: Math.round(job.delayMs), error: job.message }, "job attempt failed, retrying");
    }
    for (const job of settlement.failed) this.logger.warn({ jobId: job.id, attempts: job.attempts, error: job.message }, "job failed");
  }

  private logError(message: string, error: unknown, jobId?: string): void {
    this.logger.error({ ...(jobId === undefined ? {} : { jobId }), error: error instanceof Error ? error.message : String(error) }, message);
  }

  /** Whether every running handler settled within `timeoutMs`. */
  private async waitForRunning(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const settled = Promise.allSettled([...this.running.values()].map((entry) => entry.execution)).then(() => true);
    const finished = await Promise.race([settled, timedOut]);
    clearTimeout(timer);
    return finished;
  }
}
