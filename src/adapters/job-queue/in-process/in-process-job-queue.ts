import { join } from "node:path";
import { ConflictError, NotFoundError, ValidationError, isTransientError } from "../../../core/errors.js";
import { AppendOnlyJournal } from "./append-only-journal.js";
import type { Job, JobContext, JobHandler, JobQueue } from "../../../ports/job-queue.js";
import { assignJob, compareText, finishedAt, loadStoredJobs, toPublicJob, type StoredJob } from "./stored-job.js";
import { type Logger, silentLogger } from "../../../ports/logger.js";

export interface InProcessJobQueueOptions {
  /** Directory holding the job journal (`jobs.journal`); created when missing. One queue instance per directory. */
  directory: string;
  /** Attempts before a transiently failing job is failed (default 5). */
  maxAttempts?: number;
  /** Delay before attempt n+1: random(0, min(maxMs, baseMs * 2^(n-1))) ("full jitter"). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** How long `close` waits for running handlers before aborting their signal (default 10 s). */
  closeGraceMs?: number;
  /** Completed jobs kept: the newest `maxCount` (default 10 000), none older than `maxAgeMs` (default 7 days). */
  completedRetention?: { maxCount?: number; maxAgeMs?: number };
  logger?: Logger;
}

const PROGRESS_PERSIST_INTERVAL_MS = 250;
const ABORT_SETTLE_MS = 2_000;
const JOURNAL_FILE = "jobs.journal";
const PRUNE_EVERY_COMPLETIONS = 1_000;

/**
 * Single-process `JobQueue` whose job state lives in `directory` and survives `kill -9` at any
 * instant: jobs found `queued` or `active` at load run again (at-least-once). An interrupted job
 * whose attempt budget is already spent is failed instead, so a job that crashes the process
 * cannot crash-loop it. FIFO by `createdAt`; job data must be JSON-serialisable.
 */
export class InProcessJobQueue<TData> implements JobQueue<TData> {
  private readonly directory: string;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly closeGraceMs: number;
  private readonly retentionMaxCount: number;
  private readonly retentionMaxAgeMs: number;
  private readonly logger: Logger;
  private readonly jobs = new Map<string, StoredJob<TData>>();
  /** Queued jobs sorted by (createdAt, sequence). */
  private readonly pending: StoredJob<TData>[] = [];
  private readonly running = new Map<string, { controller: AbortController; execution: Promise<void> }>();
  /** Every job state change, appended in order (see AppendOnlyJournal). */
  private readonly journal: AppendOnlyJournal;
  private idleWaiters: Array<() => void> = [];
  private loading: Promise<void> | null = null;
  private handler: JobHandler<TData> | null = null;
  private concurrency = 4;
  private closing = false;
  private wakeTimer: NodeJS.Timeout | null = null;
  private nextSequence = 0;
  private completionsSincePrune = 0;

  constructor(options: InProcessJobQueueOptions) {
    this.directory = options.directory;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.backoffBaseMs = options.backoff?.baseMs ?? 500;
    this.backoffMaxMs = options.backoff?.maxMs ?? 30_000;
    this.closeGraceMs = options.closeGraceMs ?? 10_000;
    this.retentionMaxCount = options.completedRetention?.maxCount ?? 10_000;
    this.retentionMaxAgeMs = options.completedRetention?.maxAgeMs ?? 7 * 24 * 3_600_000;
    this.logger = options.logger ?? silentLogger;
    this.journal = new AppendOnlyJournal({ path: join(this.directory, JOURNAL_FILE), logger: this.logger });
  }

  async enqueue(data: TData, options: { id: string }): Promise<{ job: Job<TData>; created: boolean }> {
    if (typeof options.id !== "string" || options.id.length === 0) {
      throw new ValidationError("Job id must be a non-empty string", [{ path: "id", message: "Required" }]);
    }
    await this.ensureLoaded();
    if (this.jobs.has(options.id)) {
      await this.journal.flush();
      const existing = this.jobs.get(options.id);
      if (existing) return { job: toPublicJob(existing), created: false };
    }
    const now = new Date().toISOString();
    const job: StoredJob<TData> = {
      id: options.id,
      data,
      state: "queued",
      attempts: 0,
      maxAttempts: this.maxAttempts,
      progress: 0,
      error: null,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
      runAt: null,
      sequence: this.nextSequence++,
    };
    this.jobs.set(job.id, job);
    try {
      await this.persist(job);
    } catch (error) {
      this.jobs.delete(job.id);
      throw error;
    }
    const accepted = toPublicJob(job);
    this.addPending(job);
    this.dispatch();
    return { job: accepted, created: true };
  }

  async get(id: string): Promise<Job<TData> | null> {
    await this.ensureLoaded();
    const job = this.jobs.get(id);
    return job ? toPublicJob(job) : null;
  }

  async retry(id: string): Promise<Job<TData>> {
    await this.ensureLoaded();
    const job = this.jobs.get(id);
    if (!job) throw new NotFoundError(`Job ${id} not found`);
    if (job.state !== "failed") throw new ConflictError(`Job ${id} is ${job.state}; only failed jobs can be retried`);
    const failedState = { ...job };
    assignJob(job, { state: "queued", attempts: 0, maxAttempts: this.maxAttempts, progress: 0, error: null });
    assignJob(job, { finishedAt: null, runAt: null, updatedAt: new Date().toISOString() });
    try {
      await this.persist(job);
    } catch (error) {
      assignJob(job, failedState);
      throw error;
    }
    const queued = toPublicJob(job);
    this.addPending(job);
    this.dispatch();
    return queued;
  }

  /** Failed jobs (dead letters), most recently failed first. */
  async listFailed(options: { limit?: number; offset?: number } = {}): Promise<Job<TData>[]> {
    await this.ensureLoaded();
    const offset = options.offset ?? 0;
    return [...this.jobs.values()]
      .filter((job) => job.state === "failed")
      .sort((left, right) => compareText(finishedAt(right), finishedAt(left)) || compareText(left.id, right.id))
      .slice(offset, offset + (options.limit ?? 50))
      .map(toPublicJob);
  }

  async start(handler: JobHandler<TData>, options: { concurrency?: number } = {}): Promise<void> {
    if (this.handler !== null || this.closing) throw new Error("InProcessJobQueue can be started once, before close()");
    await this.ensureLoaded();
    this.handler = handler;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.dispatch();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    if (!(await this.waitForRunning(this.closeGraceMs))) {
      this.logger.warn({ jobIds: [...this.running.keys()] }, "aborting jobs still running after the close grace period");
      for (const { controller } of this.running.values()) controller.abort(new Error("Job queue is closing"));
      await this.waitForRunning(ABORT_SETTLE_MS);
    }
    // Handlers that ignored the abort: written back as queued, the interrupted attempt not counted, so the
    // next start runs them again as after a shutdown (their own later writes are refused once closed).
    const leftRunning = [...this.running.keys()].map((id) => this.jobs.get(id)).filter((job): job is StoredJob<TData> => job !== undefined);
    await Promise.all(
      leftRunning.map((job) =>
        this.journal.put(job.id, { ...job, state: "queued", attempts: Math.max(0, job.attempts - 1), runAt: null }).catch(() => undefined),
      ),
    );
    await this.loading?.catch(() => undefined);
    await this.journal.close();
  }

  /**
   * Resolves once no job is queued (including waiting for a retry) or active, and their state is on
   * disk. Never resolves while jobs are queued and the queue is not started (or closed).
   */
  async onIdle(): Promise<void> {
    await this.ensureLoaded();
    for (;;) {
      while (!this.isIdle()) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      await this.journal.flush();
      if (this.isIdle()) return;
    }
  }

  private ensureLoaded(): Promise<void> {
    this.loading ??= this.load();
    return this.loading;
  }

  private async load(): Promise<void> {
    for (const job of (await loadStoredJobs<TData>(this.journal, this.directory, this.logger)).values()) {
      this.jobs.set(job.id, job);
      this.nextSequence = Math.max(this.nextSequence, job.sequence + 1);
    }
    for (const job of this.jobs.values()) {
      if (job.state === "active") await this.recoverInterrupted(job);
      if (job.state === "queued") this.addPending(job);
    }
    this.pruneCompleted();
  }

  private async recoverInterrupted(job: StoredJob<TData>): Promise<void> {
    const exhausted = job.attempts >= job.maxAttempts;
    const now = new Date().toISOString();
    assignJob(job, { state: exhausted ? "failed" : "queued", updatedAt: now, runAt: null });
    if (exhausted) assignJob(job, { finishedAt: now, error: `Interrupted by a restart after ${job.attempts} attempts` });
    this.logger.warn({ jobId: job.id, attempts: job.attempts, state: job.state }, "recovered a job interrupted by a restart");
    await this.persist(job);
  }

  private dispatch(): void {
    const handler = this.handler;
    if (handler === null || this.closing) return;
    const now = Date.now();
    let nextDueAt = Number.POSITIVE_INFINITY;
    for (let index = 0; index < this.pending.length && this.running.size < this.concurrency;) {
      const job = this.pending[index]!;
      const dueAt = job.runAt === null ? 0 : Date.parse(job.runAt);
      if (dueAt > now) {
        nextDueAt = Math.min(nextDueAt, dueAt);
        index += 1;
        continue;
      }
      this.pending.splice(index, 1);
      this.run(job, handler);
    }
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    this.wakeTimer = Number.isFinite(nextDueAt) ? setTimeout(() => this.dispatch(), nextDueAt - now) : null;
  }

  private run(job: StoredJob<TData>, handler: JobHandler<TData>): void {
    assignJob(job, { state: "active", attempts: job.attempts + 1, runAt: null, updatedAt: new Date().toISOString() });
    const controller = new AbortController();
    const execution = this.execute(job, handler, controller).finally(() => {
      this.running.delete(job.id);
      this.dispatch();
      if (this.isIdle()) this.idleWaiters.splice(0).forEach((resolve) => resolve());
    });
    this.running.set(job.id, { controller, execution });
  }

  private async execute(job: StoredJob<TData>, handler: JobHandler<TData>, controller: AbortController): Promise<void> {
    await this.persistLogged(job);
    // The active state was just written: short jobs finish before their progress is worth a write.
    let progressPersistedAt = Date.now();
    const context: JobContext = {
      signal: controller.signal,
      reportProgress: async (progress) => {
        if (job.state !== "active" || !Number.isFinite(progress)) return;
        assignJob(job, { progress: Math.min(1, Math.max(0, progress)), updatedAt: new Date().toISOString() });
        if (Date.now() - progressPersistedAt < PROGRESS_PERSIST_INTERVAL_MS) return;
        progressPersistedAt = Date.now();
        await this.persistLogged(job);
      },
    };
    try {
      await handler(toPublicJob(job), context);
      const now = new Date().toISOString();
      assignJob(job, { state: "completed", progress: 1, error: null, finishedAt: now, updatedAt: now });
      if (++this.completionsSincePrune >= PRUNE_EVERY_COMPLETIONS) this.pruneCompleted();
    } catch (error) {
      this.settleFailedAttempt(job, error, controller.signal.aborted && this.closing);
    }
    await this.persistLogged(job);
  }

  private settleFailedAttempt(job: StoredJob<TData>, error: unknown, abortedByClose: boolean): void {
    const message = error instanceof Error ? error.message : String(error);
    const now = new Date().toISOString();
    if (abortedByClose) {
      // Left queued on disk so that the next start runs it again.
      assignJob(job, { state: "queued", runAt: null, error: message, updatedAt: now });
    } else if (isTransientError(error) && job.attempts < job.maxAttempts) {
      const delayMs = Math.random() * Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (job.attempts - 1));
      assignJob(job, { state: "queued", runAt: new Date(Date.now() + delayMs).toISOString(), error: message, updatedAt: now });
      this.addPending(job);
      this.logger.info({ jobId: job.id, attempts: job.attempts, delayMs: Math.round(delayMs), error: message }, "job attempt failed, retrying");
    } else {
      assignJob(job, { state: "failed", error: message, finishedAt: now, updatedAt: now });
      this.logger.warn({ jobId: job.id, attempts: job.attempts, error: message }, "job failed");
    }
  }

  private addPending(job: StoredJob<TData>): void {
    let low = 0;
    let high = this.pending.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const other = this.pending[middle]!;
      if (compareText(other.createdAt, job.createdAt) < 0 || (other.createdAt === job.createdAt && other.sequence < job.sequence)) low = middle + 1;
      else high = middle;
    }
    this.pending.splice(low, 0, job);
  }

  private pruneCompleted(): void {
    this.completionsSincePrune = 0;
    const oldestKept = new Date(Date.now() - this.retentionMaxAgeMs).toISOString();
    const completed = [...this.jobs.values()]
      .filter((job) => job.state === "completed")
      .sort((left, right) => compareText(finishedAt(right), finishedAt(left)));
    completed.forEach((job, index) => {
      if (index < this.retentionMaxCount && finishedAt(job) >= oldestKept) return;
      this.jobs.delete(job.id);
      this.journal.remove(job.id).catch((error: unknown) => {
        this.logger.error({ jobId: job.id, error: String(error) }, "could not record a pruned job");
      });
    });
  }

  private persist(job: StoredJob<TData>): Promise<void> {
    return this.journal.put(job.id, job);
  }

  private async persistLogged(job: StoredJob<TData>): Promise<void> {
    await this.persist(job).catch((error: unknown) => {
      this.logger.error({ jobId: job.id, error: String(error) }, "could not persist job state");
    });
  }

  private async waitForRunning(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const settled = Promise.allSettled([...this.running.values()].map((entry) => entry.execution)).then(() => true);
    const finished = await Promise.race([settled, timedOut]);
    clearTimeout(timer);
    return finished;
  }

  private isIdle(): boolean {
    return this.pending.length === 0 && this.running.size === 0;
  }
}
