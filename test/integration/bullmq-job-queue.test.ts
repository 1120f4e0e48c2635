import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeRedisClient, createRedisClient, redisOptionsFromUrl, waitForRedisReady } from "../../src/adapters/redis/redis-client.js";
import { BullMqJobQueue, decodeJobId, encodeJobId, type BullMqJobQueueOptions } from "../../src/adapters/job-queue/bullmq/bullmq-job-queue.js";
import { deleteKeysWithPrefix, describeWithRedis, redisUrl, uniqueKeyPrefix } from "../helpers/redis-available.js";
import { childProcessEnvironment } from "../helpers/test-environment.js";
import { waitFor } from "../helpers/wait-for.js";

interface Payload {
  value: string;
}

const QUEUE_NAME = "ingest";
const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

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

  it("runs again a job whose worker died (stalled job recovery)", async () => {
    const queue = createQueue({ stalled: { lockDurationMs: 500, stalledIntervalMs: 300, maxCrashes: 2 } });
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

  it("fails a job that crashed its worker maxCrashes times with that reason, runs its bystanders again alone, and retry() gives it a fresh crash budget", async () => {
    const maxCrashes = 2;
    const queue = createQueue({ stalled: { maxCrashes } });
    await queue.enqueue({ value: "poison" }, { id: "poison" });
    const bystanders = ["fine-1", "fine-2", "fine-3"];
    for (const id of bystanders) await queue.enqueue({ value: "fine" }, { id });
    const children: ChildProcess[] = [];
    let output = "";
    // A worker process like `npm run worker`; the poison job makes it exit mid-job.
    const startWorker = () => {
      const child = spawn(process.execPath, ["--import", "tsx", "test/helpers/bullmq-crash-child.ts", redisUrl, keyPrefix, String(maxCrashes)], {
        cwd: PROJECT_ROOT,
        env: childProcessEnvironment(),
        stdio: ["ignore", "pipe", "ignore"],
      });
      child.stdout?.on("data", (chunk) => (output += String(chunk)));
      children.push(child);
      return new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    };
    try {
      let crashes = 0;
      for (;;) {
        const exit = startWorker();
        const outcome = await Promise.race([exit.then((code) => ({ code })), settled(queue, "poison", "failed").then((job) => ({ job }))]);
        if ("job" in outcome) {
          expect(outcome.job.error).toBe(`crashed the worker ${maxCrashes} times`);
          break;
        }
        expect(outcome.code).toBe(70);
        crashes += 1;
        expect(crashes).toBeLessThanOrEqual(maxCrashes);
      }
      expect(crashes).toBe(maxCrashes);
      await waitFor(async () => output.includes("quarantined"), "onQuarantined in the worker that failed the job");
      expect(output).toContain(`quarantined poison failed: crashed the worker ${maxCrashes} times\n`);
      // The jobs that ran beside the poison job when it crashed its worker ran again, alone, and completed.
      for (const id of bystanders) expect(await queue.get(id)).toMatchObject({ state: "completed" });

      // Without the reset, BullMQ would fail the retried job again at once instead of running it.
      const survivor = children[children.length - 1]!;
      const survivorExit = new Promise<number | null>((resolve) => survivor.once("exit", (code) => resolve(code)));
      const retried = await queue.retry("poison");
      // The idle worker may take it before retry() reads it back.
      expect(["queued", "active"]).toContain(retried.state);
      expect(retried.error).toBeNull();
      expect(await survivorExit).toBe(70);
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 60_000);
});
