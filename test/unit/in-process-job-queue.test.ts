import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileNameForKey } from "../../src/adapters/blob-store/file/atomic-file.js";
import { InProcessJobQueue, type InProcessJobQueueOptions } from "../../src/adapters/job-queue/in-process/in-process-job-queue.js";

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
