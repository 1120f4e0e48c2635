import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeRedisClient, createRedisClient, redisOptionsFromUrl, waitForRedisReady } from "../../src/adapters/redis/redis-client.js";
import { ConflictError, UnprocessableDocumentError, UpstreamUnavailableError } from "../../src/core/errors.js";
import { BullMqJobQueue, decodeJobId, encodeJobId, type BullMqJobQueueOptions } from "../../src/adapters/job-queue/bullmq/bullmq-job-queue.js";
import type { JobHandler } from "../../src/ports/job-queue.js";
import { deleteKeysWithPrefix, describeWithRedis, redisUrl, uniqueKeyPrefix } from "../helpers/redis-available.js";
import { waitFor } from "../helpers/wait-for.js";

interface Payload {
  value: string;
}

const QUEUE_NAME = "ingest";

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

describe("BullMQ job id encoding", () => {
  it("maps every id to a distinct id BullMQ accepts, and back", () => {
    const ids = ["ingest:abc:1", "a:b", "a%3Ab", "%", "%N42", "42", "-7", "007", "doc_1", "x%25:y"];
    const encoded = ids.map(encodeJobId);
    expect(new Set(encoded).size).toBe(ids.length);
    for (const jobId of encoded) {
      expect(jobId).not.toContain(":");
      expect(`${Number.parseInt(jobId, 10)}`).not.toBe(jobId);
    }
    expect(encoded.map(decodeJobId)).toEqual(ids);
  });

  it("reads connection settings from a redis URL", () => {
    expect(redisOptionsFromUrl("rediss://worker:p%40ss@redis.internal:6380/2")).toEqual({
      host: "redis.internal",
      port: 6380,
      username: "worker",
      password: "p@ss",
      db: 2,
      tls: {},
    });
    expect(redisOptionsFromUrl("redis://127.0.0.1")).toEqual({ host: "127.0.0.1", port: 6379 });
    expect(() => redisOptionsFromUrl("http://x")).toThrow(/redis/);
  });
});

describeWithRedis("BullMqJobQueue (real Redis)", () => {
  let admin: Redis;
  let keyPrefix: string;
  const openQueues: BullMqJobQueue<Payload>[] = [];

  beforeAll(async () => {
    admin = createRedisClient(redisUrl);
    await waitForRedisReady(admin, 5_000);
  });

  afterEach(async () => {
    await Promise.all(openQueues.splice(0).map((queue) => queue.close()));
    const raw = new Queue(QUEUE_NAME, { connection: redisOptionsFromUrl(redisUrl), prefix: keyPrefix.replace(/:$/, "") });
    await raw.obliterate({ force: true });
    await raw.close();
    await deleteKeysWithPrefix(admin, keyPrefix);
  });

  afterAll(async () => {
    await closeRedisClient(admin);
  });

  function createQueue(options: Partial<BullMqJobQueueOptions> = {}, fresh = true): BullMqJobQueue<Payload> {
    if (fresh) keyPrefix = uniqueKeyPrefix();
    const queue = new BullMqJobQueue<Payload>({
      connection: { url: redisUrl },
      queueName: QUEUE_NAME,
      prefix: keyPrefix,
      backoff: { baseMs: 10, maxMs: 50 },
      closeGraceMs: 2_000,
      ...options,
    });
    openQueues.push(queue);
    return queue;
  }

  async function settled(queue: BullMqJobQueue<Payload>, id: string, state: "completed" | "failed") {
    return waitFor(async () => {
      const job = await queue.get(id);
      return job?.state === state ? job : null;
    }, `job ${id} ${state}`);
  }

  it("enqueue is idempotent on id: the second enqueue returns the first job and it runs once", async () => {
    const queue = createQueue();
    const first = await queue.enqueue({ value: "a" }, { id: "ingest:abc:1" });
    const second = await queue.enqueue({ value: "other" }, { id: "ingest:abc:1" });
    expect(first).toMatchObject({ created: true, job: { id: "ingest:abc:1", state: "queued", attempts: 0, maxAttempts: 5, data: { value: "a" } } });
    expect(second).toMatchObject({ created: false, job: { id: "ingest:abc:1", data: { value: "a" } } });
    expect(await queue.get("ingest:abc:1")).toMatchObject({ state: "queued", data: { value: "a" }, error: null, finishedAt: null });
    expect(await queue.get("missing")).toBeNull();

    const runs: string[] = [];
    await queue.start(async (job) => void runs.push(job.id));
    const done = await settled(queue, "ingest:abc:1", "completed");
    expect(done).toMatchObject({ attempts: 1, progress: 1, error: null });
    expect(done.finishedAt).not.toBeNull();
    expect(await queue.enqueue({ value: "a" }, { id: "ingest:abc:1" })).toMatchObject({ created: false, job: { state: "completed" } });
    await delay(200);
    expect(runs).toEqual(["ingest:abc:1"]);
  });

  it("two processes enqueuing the same id at once make one job", async () => {
    const api1 = createQueue();
    const api2 = createQueue({}, false);
    for (let round = 0; round < 10; round += 1) {
      const id = `tenant:doc-${round}`;
      const results = await Promise.all([
        api1.enqueue({ value: "from-1" }, { id }),
        api2.enqueue({ value: "from-2" }, { id }),
        api1.enqueue({ value: "from-1b" }, { id }),
        api2.enqueue({ value: "from-2b" }, { id }),
      ]);
      expect(results.filter((result) => result.created)).toHaveLength(1);
      const winner = results.find((result) => result.created)!.job.data.value;
      for (const result of results) expect(result.job.data.value).toBe(winner);
    }
    const runs: string[] = [];
    await api1.start(async (job) => void runs.push(job.id));
    await waitFor(async () => runs.length >= 10, "all jobs ran");
    await delay(200);
    expect([...runs].sort()).toEqual(Array.from({ length: 10 }, (_, round) => `tenant:doc-${round}`));
  });

  it("retries a transient error with backoff, then succeeds", async () => {
    const queue = createQueue();
    const attemptsSeen: number[] = [];
    await queue.start(async (job) => {
      attemptsSeen.push(job.attempts);
      if (attemptsSeen.length < 3) throw new UpstreamUnavailableError("embedder down");
    });
    await queue.enqueue({ value: "x" }, { id: "flaky" });
    const job = await settled(queue, "flaky", "completed");
    expect(attemptsSeen).toEqual([1, 2, 3]);
    expect(job).toMatchObject({ attempts: 3, error: null, progress: 1 });
  });

  it("fails a permanent error at once into the dead letters, and retry() runs it again with a fresh budget", async () => {
    const queue = createQueue({ maxAttempts: 4 });
    let healthy = false;
    let calls = 0;
    await queue.start(async () => {
      calls += 1;
      if (!healthy) throw new UnprocessableDocumentError("PDF is encrypted");
    });
    await queue.enqueue({ value: "x" }, { id: "broken" });
    const failed = await settled(queue, "broken", "failed");
    expect(failed).toMatchObject({ attempts: 1, maxAttempts: 4, error: "PDF is encrypted" });
    expect(failed.finishedAt).not.toBeNull();
    await delay(100);
    expect(calls).toBe(1);
    expect((await queue.listFailed()).map((job) => job.id)).toEqual(["broken"]);

    healthy = true;
    const retried = await queue.retry("broken");
    // The running worker may already have picked it up again.
    expect(retried.state).not.toBe("failed");
    expect(retried.attempts).toBeLessThanOrEqual(1);
    expect(await settled(queue, "broken", "completed")).toMatchObject({ attempts: 1, error: null });
    expect(await queue.listFailed()).toEqual([]);
    await expect(queue.retry("broken")).rejects.toBeInstanceOf(ConflictError);
    await expect(queue.retry("missing")).rejects.toMatchObject({ code: "not_found" });
  });

  it("fails after maxAttempts transient errors and lists dead letters newest first", async () => {
    const queue = createQueue({ maxAttempts: 3 });
    const runs: string[] = [];
    await queue.start(async (job) => {
      runs.push(job.id);
      throw new Error("connection reset");
    });
    await queue.enqueue({ value: "x" }, { id: "first" });
    expect(await settled(queue, "first", "failed")).toMatchObject({ attempts: 3, error: "connection reset" });
    await queue.enqueue({ value: "y" }, { id: "second" });
    await settled(queue, "second", "failed");
    expect(runs.filter((id) => id === "first")).toHaveLength(3);
    expect((await queue.listFailed()).map((job) => job.id)).toEqual(["second", "first"]);
    expect((await queue.listFailed({ limit: 1, offset: 1 })).map((job) => job.id)).toEqual(["first"]);
  });

  it("never runs more jobs at once than the concurrency, and reports progress", async () => {
    const queue = createQueue();
    let running = 0;
    let maxRunning = 0;
    const handler: JobHandler<Payload> = async (job, context) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await context.reportProgress(0.5);
      await delay(job.id === "job-0" ? 400 : 60);
      running -= 1;
    };
    for (let index = 0; index < 8; index += 1) await queue.enqueue({ value: String(index) }, { id: `job-${index}` });
    await queue.start(handler, { concurrency: 2 });
    const active = await waitFor(async () => {
      const job = await queue.get("job-0");
      return job?.state === "active" && job.progress === 0.5 ? job : null;
    }, "job-0 active with progress");
    expect(active.attempts).toBe(1);
    for (let index = 0; index < 8; index += 1) await settled(queue, `job-${index}`, "completed");
    expect(maxRunning).toBe(2);
  });

  it("close() waits for running jobs to finish", async () => {
    const queue = createQueue();
    let finished = false;
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    await queue.start(async () => {
      started();
      await delay(400);
      finished = true;
    });
    await queue.enqueue({ value: "x" }, { id: "slow" });
    await handlerStarted;
    await queue.close();
    expect(finished).toBe(true);
    const reader = createQueue({}, false);
    expect(await reader.get("slow")).toMatchObject({ state: "completed", attempts: 1 });
  });

  it("after the close grace period aborts the handler and leaves the job for another worker", async () => {
    const queue = createQueue({ closeGraceMs: 150 });
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    await queue.start(async (_job, { signal }) => {
      started();
      await new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true }));
    });
    await queue.enqueue({ value: "x" }, { id: "interrupted" });
    await handlerStarted;
    await queue.close();

    const next = createQueue({}, false);
    expect(await next.get("interrupted")).toMatchObject({ state: "queued", error: null });
    const runs: string[] = [];
    await next.start(async (job) => void runs.push(job.id));
    await settled(next, "interrupted", "completed");
    expect(runs).toEqual(["interrupted"]);
  });

  it("runs again a job whose worker died (stalled job recovery)", async () => {
    const queue = createQueue({ stalled: { lockDurationMs: 500, stalledIntervalMs: 300, maxStalledCount: 1 } });
    await queue.enqueue({ value: "x" }, { id: "orphan" });
    // A worker that takes the job and then never renews its lock, like a process killed with SIGKILL.
    const dead = new Worker(QUEUE_NAME, null, { connection: redisOptionsFromUrl(redisUrl), prefix: keyPrefix.replace(/:$/, ""), lockDuration: 500 });
    const taken = await dead.getNextJob("dead-worker-token");
    expect(taken?.id).toBe(encodeJobId("orphan"));
    await dead.close(true);
    expect(await queue.get("orphan")).toMatchObject({ state: "active" });

    const runs: string[] = [];
    await queue.start(async (job) => void runs.push(job.id));
    await settled(queue, "orphan", "completed");
    expect(runs).toEqual(["orphan"]);
  });
});
