import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileNameForKey } from "../../src/adapters/document-repository/file/atomic-file.js";
import { UnprocessableDocumentError, UpstreamUnavailableError } from "../../src/core/errors.js";
import { InProcessJobQueue, type InProcessJobQueueOptions } from "../../src/adapters/job-queue/in-process/in-process-job-queue.js";
import type { Job, JobHandler } from "../../src/ports/job-queue.js";

interface Payload {
  value: string;
}

let directory: string;
const openQueues: InProcessJobQueue<Payload>[] = [];
const cleanupDirectories: string[] = [];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "ragline-queue-"));
});

afterEach(async () => {
  await Promise.all(openQueues.splice(0).map((queue) => queue.close()));
  await Promise.all([directory, ...cleanupDirectories.splice(0)].map((path) => rm(path, { recursive: true, force: true })));
});

function createQueue(options: Partial<InProcessJobQueueOptions> = {}): InProcessJobQueue<Payload> {
  const queue = new InProcessJobQueue<Payload>({ directory, backoff: { baseMs: 5, maxMs: 20 }, closeGraceMs: 200, ...options });
  openQueues.push(queue);
  return queue;
}

/** The journal's lines for `id` (or all of them), oldest first, as the file holds them now. */
async function journalLines(id?: string): Promise<Array<{ id: string; value?: Record<string, unknown>; removed?: boolean }>> {
  const text = await readFile(join(directory, "jobs.journal"), "utf8");
  const lines = text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { id: string; value?: Record<string, unknown>; removed?: boolean });
  return id === undefined ? lines : lines.filter((line) => line.id === id);
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

describe("InProcessJobQueue", () => {
  it("enqueue is idempotent on id and does not re-run a completed job", async () => {
    const queue = createQueue();
    const runs: string[] = [];
    const first = await queue.enqueue({ value: "a" }, { id: "tenant:doc/1" });
    const second = await queue.enqueue({ value: "other" }, { id: "tenant:doc/1" });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.job.data).toEqual({ value: "a" });
    await queue.start(async (job) => void runs.push(job.id));
    await queue.onIdle();
    const third = await queue.enqueue({ value: "a" }, { id: "tenant:doc/1" });
    await queue.onIdle();
    expect(third).toMatchObject({ created: false, job: { state: "completed", attempts: 1, progress: 1 } });
    expect(runs).toEqual(["tenant:doc/1"]);
  });

  it("runs jobs in FIFO order", async () => {
    const queue = createQueue();
    const ids = Array.from({ length: 20 }, (_, index) => `job-${index}`);
    for (const id of ids) await queue.enqueue({ value: id }, { id });
    const runs: string[] = [];
    await queue.start(async (job) => void runs.push(job.id), { concurrency: 1 });
    await queue.onIdle();
    expect(runs).toEqual(ids);
  });

  it("retries a transient error with backoff, then succeeds", async () => {
    const queue = createQueue();
    let calls = 0;
    await queue.start(async () => {
      calls += 1;
      if (calls < 3) throw new UpstreamUnavailableError("embedder down");
    });
    await queue.enqueue({ value: "x" }, { id: "flaky" });
    await queue.onIdle();
    expect(calls).toBe(3);
    expect(await queue.get("flaky")).toMatchObject({ state: "completed", attempts: 3, error: null, progress: 1 });
    expect(await queue.get("flaky")).not.toHaveProperty("runAt");
  });

  it("fails a permanent error at once with its message and no stack", async () => {
    const queue = createQueue();
    await queue.start(async () => {
      throw new UnprocessableDocumentError("PDF is encrypted");
    });
    await queue.enqueue({ value: "x" }, { id: "broken" });
    await queue.onIdle();
    const job = await queue.get("broken");
    expect(job).toMatchObject({ state: "failed", attempts: 1, error: "PDF is encrypted" });
    expect(job?.finishedAt).not.toBeNull();
  });

  it("fails after maxAttempts, lists dead letters newest first, and retry() runs one again", async () => {
    const queue = createQueue({ maxAttempts: 3 });
    let healthy = false;
    const runs: string[] = [];
    await queue.start(async (job) => {
      runs.push(job.id);
      if (!healthy) throw new Error("connection reset");
    });
    await queue.enqueue({ value: "x" }, { id: "first" });
    await queue.onIdle();
    await delay(5);
    await queue.enqueue({ value: "y" }, { id: "second" });
    await queue.onIdle();
    expect(await queue.get("first")).toMatchObject({ state: "failed", attempts: 3, error: "connection reset" });
    expect((await queue.listFailed()).map((job) => job.id)).toEqual(["second", "first"]);
    expect((await queue.listFailed({ limit: 1, offset: 1 })).map((job) => job.id)).toEqual(["first"]);
    expect(runs.filter((id) => id === "first")).toHaveLength(3);

    healthy = true;
    const retried = await queue.retry("first");
    expect(retried).toMatchObject({ state: "queued", attempts: 0, error: null });
    await queue.onIdle();
    expect(await queue.get("first")).toMatchObject({ state: "completed", attempts: 1 });
    expect((await queue.listFailed()).map((job) => job.id)).toEqual(["second"]);
  });

  it("retry() rejects unknown and non-failed jobs", async () => {
    const queue = createQueue();
    await queue.enqueue({ value: "x" }, { id: "waiting" });
    await expect(queue.retry("missing")).rejects.toMatchObject({ code: "not_found" });
    await expect(queue.retry("waiting")).rejects.toMatchObject({ code: "conflict" });
  });

  it("persists jobs across instances", async () => {
    const writer = createQueue();
    await writer.enqueue({ value: "kept" }, { id: "persisted" });
    await writer.close();
    const reader = createQueue();
    expect(await reader.get("persisted")).toMatchObject({ state: "queued", data: { value: "kept" } });
    const seen: Array<Job<Payload>> = [];
    await reader.start(async (job) => void seen.push(job));
    await reader.onIdle();
    expect(seen.map((job) => job.data.value)).toEqual(["kept"]);
    await reader.close();
    const again = createQueue();
    expect(await again.get("persisted")).toMatchObject({ state: "completed", attempts: 1 });
  });

  it("runs again a job left active by a crashed instance", async () => {
    const crashed = createQueue();
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    await crashed.start(() => {
      started();
      return new Promise<void>(() => {});
    });
    await crashed.enqueue({ value: "x" }, { id: "interrupted" });
    await handlerStarted;
    await delay(20);
    // What a kill -9 leaves on disk, taken while the handler is still running: the journal as it is now.
    const crashDirectory = await mkdtemp(join(tmpdir(), "ragline-queue-crash-"));
    cleanupDirectories.push(crashDirectory);
    await copyFile(join(directory, "jobs.journal"), join(crashDirectory, "jobs.journal"));

    const restarted = createQueue({ directory: crashDirectory });
    expect(await restarted.get("interrupted")).toMatchObject({ state: "queued", attempts: 1 });
    const runs: string[] = [];
    await restarted.start(async (job) => void runs.push(job.id));
    await restarted.onIdle();
    expect(runs).toEqual(["interrupted"]);
    expect(await restarted.get("interrupted")).toMatchObject({ state: "completed", attempts: 2 });
  });

  it("fails instead of re-running an interrupted job that has no attempts left", async () => {
    const now = new Date().toISOString();
    const stored = {
      id: "poison",
      data: { value: "x" },
      state: "active",
      attempts: 2,
      maxAttempts: 2,
      progress: 0,
      error: null,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
    };
    await writeFile(join(directory, `${fileNameForKey("poison")}.json`), JSON.stringify(stored));
    const queue = createQueue();
    expect(await queue.get("poison")).toMatchObject({ state: "failed", error: "Interrupted by a restart after 2 attempts" });
  });

  it("respects the concurrency limit", async () => {
    const queue = createQueue();
    let running = 0;
    let maximum = 0;
    const handler: JobHandler<Payload> = async () => {
      running += 1;
      maximum = Math.max(maximum, running);
      await delay(10);
      running -= 1;
    };
    for (let index = 0; index < 12; index += 1) await queue.enqueue({ value: "x" }, { id: `job-${index}` });
    await queue.start(handler, { concurrency: 3 });
    await queue.onIdle();
    expect(maximum).toBe(3);
  });

  it("close() waits for the running handler", async () => {
    const queue = createQueue({ closeGraceMs: 5_000 });
    let finished = false;
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    await queue.start(async () => {
      started();
      await delay(100);
      finished = true;
    });
    await queue.enqueue({ value: "x" }, { id: "slow" });
    await handlerStarted;
    await queue.close();
    expect(finished).toBe(true);
    expect(await createQueue().get("slow")).toMatchObject({ state: "completed" });
  });

  it("close() aborts a handler past the grace period and leaves the job to run after restart", async () => {
    const queue = createQueue({ closeGraceMs: 50 });
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    await queue.start(async (_job, context) => {
      started();
      await new Promise((_resolve, reject) => context.signal.addEventListener("abort", () => reject(context.signal.reason)));
    });
    await queue.enqueue({ value: "x" }, { id: "stuck" });
    await handlerStarted;
    await queue.close();
    expect(await createQueue().get("stuck")).toMatchObject({ state: "queued" });
  });

  it("close() writes a handler that ignores the abort back as queued, its attempt not counted, so it runs after restart", async () => {
    const queue = createQueue({ closeGraceMs: 50, maxAttempts: 1 });
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    let finishLate!: () => void;
    await queue.start(async () => {
      started();
      // Ignores its signal and finishes only after close() has given up on it.
      await new Promise<void>((resolve) => (finishLate = resolve));
    });
    await queue.enqueue({ value: "x" }, { id: "stubborn" });
    await handlerStarted;
    await queue.close();
    finishLate();
    await delay(20);
    const restarted = createQueue({ maxAttempts: 1 });
    expect(await restarted.get("stubborn")).toMatchObject({ state: "queued", attempts: 0 });
    const runs: string[] = [];
    await restarted.start(async (job) => void runs.push(job.id));
    await restarted.onIdle();
    expect(runs).toEqual(["stubborn"]);
    expect(await restarted.get("stubborn")).toMatchObject({ state: "completed", attempts: 1 });
  });

  it("persists the progress of a job that runs longer than the persist interval", async () => {
    const queue = createQueue();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let reported!: () => void;
    const progressReported = new Promise<void>((resolve) => (reported = resolve));
    await queue.start(async (_job, context) => {
      await context.reportProgress(0.1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await context.reportProgress(0.4);
      reported();
      await released;
    });
    await queue.enqueue({ value: "x" }, { id: "progressing" });
    await progressReported;
    expect(await queue.get("progressing")).toMatchObject({ state: "active", progress: 0.4 });
    expect((await journalLines("progressing")).at(-1)?.value).toMatchObject({ state: "active", progress: 0.4 });
    release();
    await queue.onIdle();
  });

  it("keeps job ids with unsafe characters as data in the journal, never as file names", async () => {
    const queue = createQueue();
    await queue.enqueue({ value: "x" }, { id: "../../etc/passwd" });
    await queue.enqueue({ value: "y" }, { id: "Tenant:A/doc?x=1\nsecond line" });
    await queue.close();
    // No file per job; the lock file goes with close().
    expect(await readdir(directory)).toEqual(["jobs.journal"]);
    const reopened = createQueue();
    expect(await reopened.get("Tenant:A/doc?x=1\nsecond line")).toMatchObject({ data: { value: "y" } });
    expect(await reopened.get("../../etc/passwd")).toMatchObject({ data: { value: "x" } });
  });

  it("imports the one-file-per-job layout of earlier versions into the journal", async () => {
    const now = new Date().toISOString();
    const legacy = {
      id: "legacy",
      data: { value: "old" },
      state: "queued",
      attempts: 0,
      maxAttempts: 5,
      progress: 0,
      error: null,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
    };
    await writeFile(join(directory, `${fileNameForKey("legacy")}.json`), JSON.stringify(legacy));
    const queue = createQueue();
    const handled: string[] = [];
    await queue.start(async (job) => {
      handled.push(job.data.value);
    });
    await queue.onIdle();
    expect(handled).toEqual(["old"]);
    expect((await readdir(directory)).sort()).toEqual(["jobs.journal", "jobs.journal.lock"]);
    expect((await journalLines("legacy")).at(-1)?.value).toMatchObject({ state: "completed" });
  });

  it("prunes completed jobs beyond the retention count", async () => {
    const queue = createQueue({ completedRetention: { maxCount: 2 } });
    await queue.start(async () => {});
    for (let index = 0; index < 4; index += 1) {
      await queue.enqueue({ value: "x" }, { id: `done-${index}` });
      await queue.onIdle();
      await delay(2);
    }
    await queue.close();
    const reloaded = createQueue({ completedRetention: { maxCount: 2 } });
    expect(await reloaded.get("done-0")).toBeNull();
    expect(await reloaded.get("done-3")).toMatchObject({ state: "completed" });
    await reloaded.onIdle();
    // The pruned jobs' removals are in the journal: replaying it leaves the two kept jobs.
    const live = new Map<string, boolean>();
    for (const line of await journalLines()) live.set(line.id, line.removed !== true);
    expect(
      [...live]
        .filter(([, kept]) => kept)
        .map(([id]) => id)
        .sort(),
    ).toEqual(["done-2", "done-3"]);
  });
});
