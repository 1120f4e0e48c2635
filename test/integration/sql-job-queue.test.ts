import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UpstreamUnavailableError } from "../../src/core/errors.js";
import { reconcileCrashedJobs } from "../../src/adapters/job-queue/sql/sql-job-maintenance.js";
import { SqlJobQueue, type SqlJobQueueOptions } from "../../src/adapters/job-queue/sql/sql-job-queue.js";
import { insertJobRow } from "../../src/adapters/sql/job-rows.js";
import { openSqliteDatabase, type SqlState } from "../../src/adapters/sql/open-database.js";
import type { Job } from "../../src/ports/job-queue.js";
import { waitFor } from "../helpers/wait-for.js";

interface Payload {
  value: string;
}

let directory: string;
let state: SqlState;
const queues: SqlJobQueue<Payload>[] = [];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "ragline-sql-queue-"));
  state = await openSqliteDatabase({ path: join(directory, "ragline.sqlite") });
});

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(queues.splice(0).map((queue) => queue.close()));
  await state.close();
  await rm(directory, { recursive: true, force: true });
});

function createQueue(options: Partial<SqlJobQueueOptions> = {}): SqlJobQueue<Payload> {
  const queue = new SqlJobQueue<Payload>({ state, backoff: { baseMs: 5, maxMs: 20 }, closeGraceMs: 200, pollIntervalMs: 50, ...options });
  queues.push(queue);
  return queue;
}

/** What a process killed mid-attempt leaves: the job active under its lease, `attempts` already counted. */
async function jobLeftActive(id: string, fields: { owner?: string; attempts?: number; crashes?: number; leaseExpiresAt?: string } = {}): Promise<void> {
  const now = new Date().toISOString();
  await insertJobRow(state.db, { id, data: { value: id }, maxAttempts: 5, now });
  await state.db
    .updateTable("jobs")
    .set({
      state: "active",
      attempts: fields.attempts ?? 1,
      crashes: fields.crashes ?? 0,
      lease_owner: fields.owner ?? "dead-host:1234:abcd",
      lease_expires_at: fields.leaseExpiresAt ?? new Date(Date.now() + 30_000).toISOString(),
    })
    .where("id", "=", id)
    .execute();
}

async function row(id: string) {
  return state.db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

describe("SqlJobQueue: crashes", () => {
  it("runs again a job left active by a dead process, counting one crash and giving its attempt back", async () => {
    await jobLeftActive("interrupted", { attempts: 1 });
    const queue = createQueue();
    const seen: Array<Job<Payload>> = [];
    await queue.start(async (job) => void seen.push(job));
    await queue.onIdle();
    expect(seen.map((job) => [job.id, job.attempts])).toEqual([["interrupted", 1]]);
    expect(await row("interrupted")).toMatchObject({ state: "completed", attempts: 1, crashes: 1, lease_owner: null, error: null });
  });

  it("fails a job at maxCrashes with the reason, reports it to onQuarantined and never runs it", async () => {
    await jobLeftActive("poison", { crashes: 2 });
    const queue = createQueue({ maxCrashes: 3 });
    const handled: string[] = [];
    const quarantined: Array<Job<Payload>> = [];
    await queue.start(async (job) => void handled.push(job.id), { onQuarantined: async (job) => void quarantined.push(job) });
    expect(quarantined).toMatchObject([{ id: "poison", state: "failed", error: "crashed the worker 3 times", data: { value: "poison" } }]);
    await delay(150);
    expect(handled).toEqual([]);
    expect((await queue.listFailed()).map((job) => [job.id, job.error])).toEqual([["poison", "crashed the worker 3 times"]]);
    expect(await row("poison")).toMatchObject({ crashes: 3, lease_owner: null });
    expect((await row("poison")).finished_at).not.toBeNull();
  });

  it("runs jobs that crashed a worker one at a time, alone and first, then the others concurrently", async () => {
    await jobLeftActive("suspect-a");
    await jobLeftActive("suspect-b");
    const queue = createQueue();
    for (const id of ["plain-1", "plain-2", "plain-3"]) await queue.enqueue({ value: id }, { id });
    const running = new Set<string>();
    const overlaps: Array<[string, string[]]> = [];
    const order: string[] = [];
    await queue.start(
      async (job) => {
        overlaps.push([job.id, [...running]]);
        running.add(job.id);
        order.push(job.id);
        await delay(60);
        running.delete(job.id);
      },
      { concurrency: 4 },
    );
    await queue.onIdle();
    expect(order.slice(0, 2)).toEqual(["suspect-a", "suspect-b"]);
    for (const [id, others] of overlaps) if (id.startsWith("suspect")) expect(others).toEqual([]);
    // The plain jobs still share the workers.
    expect(overlaps.some(([id, others]) => id.startsWith("plain") && others.length > 0)).toBe(true);
  });

  it("a crashed attempt leaves the transient-retry budget whole", async () => {
    await jobLeftActive("flaky", { attempts: 1 });
    await state.db.updateTable("jobs").set({ max_attempts: 2 }).where("id", "=", "flaky").execute();
    const queue = createQueue();
    const attempts: number[] = [];
    await queue.start(async (job) => {
      attempts.push(job.attempts);
      if (job.attempts === 1) throw new UpstreamUnavailableError("embedder down");
    });
    await queue.onIdle();
    expect(attempts).toEqual([1, 2]);
    expect(await row("flaky")).toMatchObject({ state: "completed", attempts: 2, crashes: 1 });
  });

  it("where other processes may live (a shared server), reclaims only jobs whose lease expired", async () => {
    await jobLeftActive("live", { leaseExpiresAt: new Date(Date.now() + 60_000).toISOString() });
    await jobLeftActive("expired", { leaseExpiresAt: new Date(Date.now() - 1_000).toISOString() });
    await jobLeftActive("mine", { owner: "me", leaseExpiresAt: new Date(Date.now() - 1_000).toISOString() });
    const result = await reconcileCrashedJobs(state.db, { owner: "me", maxCrashes: 3, now: new Date().toISOString(), otherOwnersAreGone: false });
    expect(result.requeued.map((job) => job.id)).toEqual(["expired"]);
    expect(result.quarantined).toEqual([]);
    expect(await row("live")).toMatchObject({ state: "active", crashes: 0 });
    expect(await row("mine")).toMatchObject({ state: "active", crashes: 0 });
    expect(await row("expired")).toMatchObject({ state: "queued", crashes: 1, attempts: 0, lease_owner: null });
  });
});

describe("SqlJobQueue: leases, backoff, wake-ups", () => {
  it("claims under this process's lease and renews it while the handler runs", async () => {
    const queue = createQueue({ leaseMs: 150 });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await queue.start(() => released);
    await queue.enqueue({ value: "x" }, { id: "long" });
    const first = await waitFor(async () => {
      const current = await row("long");
      return current.state === "active" ? current : null;
    }, "job active");
    expect(first.lease_owner).toMatch(/:\d+:/);
    await delay(250);
    const renewed = await row("long");
    expect(renewed.lease_owner).toBe(first.lease_owner);
    expect(renewed.lease_expires_at! > first.lease_expires_at!).toBe(true);
    expect(renewed.lease_expires_at! > new Date().toISOString()).toBe(true);
    release();
    await queue.onIdle();
    expect(await row("long")).toMatchObject({ state: "completed", lease_owner: null, lease_expires_at: null });
  });

  it("waits an exponentially growing backoff between transient failures", async () => {
    // The top of the jitter range, so each delay is exactly baseMs * 2^(attempt - 1).
    vi.spyOn(Math, "random").mockReturnValue(0.999);
    const queue = createQueue({ backoff: { baseMs: 100, maxMs: 1_000 } });
    const startedAt: number[] = [];
    await queue.start(async () => {
      startedAt.push(Date.now());
      if (startedAt.length < 3) throw new UpstreamUnavailableError("embedder down");
    });
    await queue.enqueue({ value: "x" }, { id: "flaky" });
    await waitFor(async () => (await row("flaky")).state === "queued" && startedAt.length === 1, "first retry scheduled");
    const waiting = await row("flaky");
    expect(waiting.run_after > waiting.updated_at).toBe(true);
    expect(waiting.error).toBe("embedder down");
    await queue.onIdle();
    expect(startedAt).toHaveLength(3);
    expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(95);
    expect(startedAt[2]! - startedAt[1]!).toBeGreaterThanOrEqual(195);
  });

  it("an enqueue wakes idle workers at once; a job another writer inserted is found by the idle poll", async () => {
    const queue = createQueue({ pollIntervalMs: 60_000 });
    const handled: string[] = [];
    await queue.start(async (job) => void handled.push(job.id));
    await delay(50);
    await queue.enqueue({ value: "x" }, { id: "woken" });
    await waitFor(async () => handled.includes("woken"), "enqueued job ran", 2_000);

    const polling = createQueue({ pollIntervalMs: 50 });
    await queue.close();
    await polling.start(async (job) => void handled.push(job.id));
    await insertJobRow(state.db, { id: "inserted", data: { value: "y" }, maxAttempts: 5, now: new Date().toISOString() });
    await waitFor(async () => handled.includes("inserted"), "inserted job ran", 2_000);
  });
});

describe("SqlJobQueue: close, progress, retention", () => {
  it("close() gives back an attempt whose handler ignores the abort, uncounted, and its late finish writes nothing", async () => {
    const queue = createQueue({ closeGraceMs: 50, maxAttempts: 1 });
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    let finishLate!: () => void;
    await queue.start(async () => {
      started();
      await new Promise<void>((resolve) => (finishLate = resolve));
    });
    await queue.enqueue({ value: "x" }, { id: "stubborn" });
    await handlerStarted;
    await queue.close();
    finishLate();
    await delay(20);
    expect(await row("stubborn")).toMatchObject({ state: "queued", attempts: 0, crashes: 0, lease_owner: null });
    const restarted = createQueue({ maxAttempts: 1 });
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
      await delay(300);
      await context.reportProgress(0.4);
      reported();
      await released;
    });
    await queue.enqueue({ value: "x" }, { id: "progressing" });
    await progressReported;
    // Written within one persist interval (250 ms) of the report, while the job still runs.
    await waitFor(async () => (await row("progressing")).progress === 0.4, "progress 0.4 persisted", 1_000, 20);
    expect(await row("progressing")).toMatchObject({ state: "active" });
    release();
    await queue.onIdle();
    expect(await row("progressing")).toMatchObject({ state: "completed", progress: 1 });
  });

  it("prunes completed jobs beyond the retention count at start, keeping failed ones", async () => {
    const queue = createQueue({ completedRetention: { maxCount: 2 } });
    await queue.start(async (job) => {
      if (job.id === "broken") throw new Error("permanent enough");
    });
    for (const id of ["done-0", "done-1", "broken", "done-2", "done-3"]) {
      await queue.enqueue({ value: id }, { id });
      await queue.onIdle();
      await delay(2);
    }
    await queue.close();
    const restarted = createQueue({ completedRetention: { maxCount: 2 } });
    await restarted.start(async () => undefined);
    const remaining = await state.db.selectFrom("jobs").select(["id", "state"]).orderBy("id").execute();
    expect(remaining).toEqual([
      { id: "broken", state: "failed" },
      { id: "done-2", state: "completed" },
      { id: "done-3", state: "completed" },
    ]);
  });
});
