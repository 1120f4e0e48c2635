import { afterEach, describe, expect } from "vitest";
import { UnprocessableDocumentError, UpstreamUnavailableError } from "../../src/core/errors.js";
import type { Job, JobHandler, JobQueue } from "../../src/ports/job-queue.js";
import { contractCases, type ContractOptions } from "../helpers/contract-suite.js";
import { waitFor } from "../helpers/wait-for.js";

export interface ContractPayload {
  value: string;
}

/** Settings the suite varies per case; everything else (short backoff, test key prefix…) is the adapter's choice. */
export interface JobQueueSettings {
  maxAttempts?: number;
  /** How long `close` waits for running handlers before aborting them. */
  closeGraceMs?: number;
}

/** One backing store (a directory, a Redis prefix, a database) that queue instances share. */
export interface JobQueueFixture {
  /** A new queue instance on the backing store: it sees every job that earlier instances accepted. Retry backoff must be short (tens of ms). */
  open(settings?: JobQueueSettings): JobQueue<ContractPayload> | Promise<JobQueue<ContractPayload>>;
  /** Deletes the backing store. Called after every case, once its queues are closed. */
  cleanup(): Promise<void>;
}

export const jobQueueContractTests = [
  "enqueue is idempotent on id, in every state",
  "concurrent enqueues of one id make one job",
  "concurrent enqueues of one id from two instances make one job",
  "keeps ids with separators, digits and unsafe characters exactly",
  "runs queued jobs in FIFO order",
  "retries a transient error with backoff, then succeeds",
  "fails a permanent error at once, keeping its message",
  "fails after maxAttempts transient errors; listFailed lists dead letters newest first",
  "list() pages through the jobs of one state and counts() counts every state",
  "retry() queues a failed job again with a fresh attempt budget",
  "retry() rejects an unknown id and a job that has not failed",
  "never runs more handlers at once than the concurrency",
  "reports progress while a job is active",
  "jobs accepted by a closed instance run in the next one",
  "close() waits for a running handler to finish",
  "close() past its grace period aborts the handler and leaves the job to the next instance",
] as const;

/** Exactly the port's `Job` fields: no adapter bookkeeping (run times, tokens, sequence numbers) leaks out. */
const JOB_FIELDS = ["attempts", "createdAt", "data", "error", "finishedAt", "id", "maxAttempts", "progress", "state", "updatedAt"];

export type JobQueueContractTest = (typeof jobQueueContractTests)[number];

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/**
 * The `JobQueue` port's contract (see src/ports/job-queue.ts), run once per adapter. Only the port is
 * used: jobs are observed through `get`, never through an adapter's own helpers.
 */
export function runJobQueueContract(options: ContractOptions<JobQueueFixture, JobQueueContractTest>): void {
  describe(`JobQueue contract: ${options.name}`, () => {
    const test = contractCases(jobQueueContractTests, options.skip);
    let fixture: JobQueueFixture | undefined;
    const open: Array<JobQueue<ContractPayload>> = [];
    const closed = new Set<JobQueue<ContractPayload>>();

    afterEach(async () => {
      await Promise.all(open.splice(0).map((queue) => (closed.has(queue) ? undefined : queue.close())));
      closed.clear();
      await fixture?.cleanup();
      fixture = undefined;
    });

    async function openQueue(settings?: JobQueueSettings): Promise<JobQueue<ContractPayload>> {
      fixture ??= await options.create();
      const queue = await fixture.open(settings);
      open.push(queue);
      return queue;
    }

    async function close(queue: JobQueue<ContractPayload>): Promise<void> {
      closed.add(queue);
      await queue.close();
    }

    async function settled(queue: JobQueue<ContractPayload>, id: string, state: "completed" | "failed"): Promise<Job<ContractPayload>> {
      return waitFor(async () => {
        const job = await queue.get(id);
        return job?.state === state ? job : null;
      }, `job ${id} ${state}`);
    }

    test("enqueue is idempotent on id, in every state", async () => {
      const queue = await openQueue({ maxAttempts: 3 });
      const first = await queue.enqueue({ value: "a" }, { id: "ingest:abc:1" });
      const second = await queue.enqueue({ value: "other" }, { id: "ingest:abc:1" });
      expect(first).toMatchObject({
        created: true,
        job: { id: "ingest:abc:1", state: "queued", attempts: 0, maxAttempts: 3, progress: 0, data: { value: "a" } },
      });
      expect(second).toMatchObject({ created: false, job: { id: "ingest:abc:1", data: { value: "a" } } });
      expect(await queue.get("ingest:abc:1")).toMatchObject({ state: "queued", data: { value: "a" }, error: null, finishedAt: null });
      expect(await queue.get("missing")).toBeNull();
      expect(Object.keys(first.job).sort()).toEqual(JOB_FIELDS);

      const runs: string[] = [];
      await queue.start(async (job) => void runs.push(job.id));
      const done = await settled(queue, "ingest:abc:1", "completed");
      expect(done).toMatchObject({ attempts: 1, progress: 1, error: null });
      expect(done.finishedAt).not.toBeNull();
      expect(await queue.enqueue({ value: "a" }, { id: "ingest:abc:1" })).toMatchObject({ created: false, job: { state: "completed", data: { value: "a" } } });
      await delay(200);
      expect(runs).toEqual(["ingest:abc:1"]);
    });

    test("concurrent enqueues of one id make one job", async () => {
      const queue = await openQueue();
      const results = await Promise.all(["a", "b", "c", "d"].map((value) => queue.enqueue({ value }, { id: "same" })));
      expect(results.filter((result) => result.created)).toHaveLength(1);
      const winner = results.find((result) => result.created)!.job.data.value;
      for (const result of results) expect(result.job.data.value).toBe(winner);
      expect(await queue.get("same")).toMatchObject({ data: { value: winner } });
    });

    test("concurrent enqueues of one id from two instances make one job", async () => {
      const api1 = await openQueue();
      const api2 = await openQueue();
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

    test("keeps ids with separators, digits and unsafe characters exactly", async () => {
      const ids = ["../../etc/passwd", "Tenant:A/doc?x=1\nsecond line", "42", "-7", "007", "%N42", "a%3Ab", "ä:ö/ü"];
      const queue = await openQueue();
      for (const [index, id] of ids.entries()) await queue.enqueue({ value: String(index) }, { id });
      const handled: Array<[id: string, value: string]> = [];
      await queue.start(async (job) => void handled.push([job.id, job.data.value]));
      for (const id of ids) await settled(queue, id, "completed");
      expect(new Map(handled)).toEqual(new Map(ids.map((id, index) => [id, String(index)])));
      await close(queue);
      const reopened = await openQueue();
      for (const [index, id] of ids.entries()) expect(await reopened.get(id)).toMatchObject({ id, state: "completed", data: { value: String(index) } });
    });

    test("runs queued jobs in FIFO order", async () => {
      const queue = await openQueue();
      const ids = Array.from({ length: 20 }, (_, index) => `job-${index}`);
      for (const id of ids) await queue.enqueue({ value: id }, { id });
      const runs: string[] = [];
      await queue.start(async (job) => void runs.push(job.id), { concurrency: 1 });
      await settled(queue, ids.at(-1)!, "completed");
      expect(runs).toEqual(ids);
    });

    test("retries a transient error with backoff, then succeeds", async () => {
      const queue = await openQueue();
      const attemptsSeen: number[] = [];
      await queue.start(async (job) => {
        attemptsSeen.push(job.attempts);
        if (attemptsSeen.length < 3) throw new UpstreamUnavailableError("embedder down");
      });
      await queue.enqueue({ value: "x" }, { id: "flaky" });
      const job = await settled(queue, "flaky", "completed");
      expect(attemptsSeen).toEqual([1, 2, 3]);
      expect(job).toMatchObject({ attempts: 3, error: null, progress: 1 });
      expect(Object.keys(job).sort()).toEqual(JOB_FIELDS);
      expect(await queue.listFailed()).toEqual([]);
    });

    test("fails a permanent error at once, keeping its message", async () => {
      const queue = await openQueue({ maxAttempts: 4 });
      let calls = 0;
      await queue.start(async () => {
        calls += 1;
        throw new UnprocessableDocumentError("PDF is encrypted");
      });
      await queue.enqueue({ value: "x" }, { id: "broken" });
      const failed = await settled(queue, "broken", "failed");
      expect(failed).toMatchObject({ attempts: 1, maxAttempts: 4, error: "PDF is encrypted" });
      expect(failed.finishedAt).not.toBeNull();
      await delay(100);
      expect(calls).toBe(1);
      expect((await queue.listFailed()).map((job) => job.id)).toEqual(["broken"]);
    });

    test("fails after maxAttempts transient errors; listFailed lists dead letters newest first", async () => {
      const queue = await openQueue({ maxAttempts: 3 });
      const runs: string[] = [];
      await queue.start(async (job) => {
        runs.push(job.id);
        throw new Error("connection reset");
      });
      await queue.enqueue({ value: "x" }, { id: "first" });
      expect(await settled(queue, "first", "failed")).toMatchObject({ attempts: 3, error: "connection reset" });
      await delay(5);
      await queue.enqueue({ value: "y" }, { id: "second" });
      await settled(queue, "second", "failed");
      expect(runs.filter((id) => id === "first")).toHaveLength(3);
      expect((await queue.listFailed()).map((job) => job.id)).toEqual(["second", "first"]);
      expect((await queue.listFailed({ limit: 1 })).map((job) => job.id)).toEqual(["second"]);
      expect((await queue.listFailed({ limit: 1, offset: 1 })).map((job) => job.id)).toEqual(["first"]);
    });

    test("list() pages through the jobs of one state and counts() counts every state", async () => {
      const queue = await openQueue({ maxAttempts: 1 });
      const ids = Array.from({ length: 5 }, (_, index) => `listed-${index}`);
      for (const id of ids) {
        await queue.enqueue({ value: id }, { id });
        await delay(5);
      }
      expect(await queue.counts()).toEqual({ queued: 5, active: 0, completed: 0, failed: 0 });
      const pages = [await queue.list({ state: "queued", limit: 2 }), await queue.list({ state: "queued", limit: 2, offset: 2 })];
      pages.push(await queue.list({ state: "queued", limit: 2, offset: 4 }));
      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      // Newest first, each job once, every one in the state asked for.
      expect(pages.flat().map((job) => job.id)).toEqual([...ids].reverse());
      expect(pages.flat().every((job) => job.state === "queued")).toBe(true);
      expect(await queue.list({ state: "completed" })).toEqual([]);

      await queue.start(async (job) => {
        if (job.data.value === "listed-1" || job.data.value === "listed-3") throw new UnprocessableDocumentError("bad input");
      });
      for (const id of ids) await settled(queue, id, id === "listed-1" || id === "listed-3" ? "failed" : "completed");
      expect(await queue.counts()).toEqual({ queued: 0, active: 0, completed: 3, failed: 2 });
      const completed = await queue.list({ state: "completed", limit: 10 });
      expect(completed.map((job) => job.id).sort()).toEqual(["listed-0", "listed-2", "listed-4"]);
      expect(completed.every((job) => job.state === "completed" && Object.keys(job).sort().join() === JOB_FIELDS.join())).toBe(true);
      const failed = [...(await queue.list({ state: "failed", limit: 1 })), ...(await queue.list({ state: "failed", limit: 1, offset: 1 }))];
      expect(failed.map((job) => job.id).sort()).toEqual(["listed-1", "listed-3"]);
      expect(failed.every((job) => job.error === "bad input")).toBe(true);
      expect(await queue.list({ state: "queued" })).toEqual([]);
    });

    test("retry() queues a failed job again with a fresh attempt budget", async () => {
      const queue = await openQueue({ maxAttempts: 2 });
      let healthy = false;
      await queue.start(async () => {
        if (!healthy) throw new Error("connection reset");
      });
      await queue.enqueue({ value: "x" }, { id: "dead" });
      expect(await settled(queue, "dead", "failed")).toMatchObject({ attempts: 2 });
      healthy = true;
      const retried = await queue.retry("dead");
      // The running worker may already have picked it up again.
      expect(retried.state).not.toBe("failed");
      expect(retried.attempts).toBeLessThanOrEqual(1);
      expect(await settled(queue, "dead", "completed")).toMatchObject({ attempts: 1, maxAttempts: 2, error: null });
      expect(await queue.listFailed()).toEqual([]);
    });

    test("retry() rejects an unknown id and a job that has not failed", async () => {
      const queue = await openQueue();
      await queue.enqueue({ value: "x" }, { id: "waiting" });
      await expect(queue.retry("missing")).rejects.toMatchObject({ code: "not_found" });
      await expect(queue.retry("waiting")).rejects.toMatchObject({ code: "conflict" });
      await queue.start(async () => undefined);
      await settled(queue, "waiting", "completed");
      await expect(queue.retry("waiting")).rejects.toMatchObject({ code: "conflict" });
    });

    test("never runs more handlers at once than the concurrency", async () => {
      const queue = await openQueue();
      let running = 0;
      let maximum = 0;
      const handler: JobHandler<ContractPayload> = async () => {
        running += 1;
        maximum = Math.max(maximum, running);
        await delay(40);
        running -= 1;
      };
      for (let index = 0; index < 9; index += 1) await queue.enqueue({ value: "x" }, { id: `job-${index}` });
      await queue.start(handler, { concurrency: 3 });
      for (let index = 0; index < 9; index += 1) await settled(queue, `job-${index}`, "completed");
      expect(maximum).toBe(3);
    });

    test("reports progress while a job is active", async () => {
      const queue = await openQueue();
      const release = signal();
      await queue.start(async (_job, context) => {
        await context.reportProgress(0.5);
        await release.promise;
      });
      await queue.enqueue({ value: "x" }, { id: "progressing" });
      const active = await waitFor(async () => {
        const job = await queue.get("progressing");
        return job?.state === "active" && job.progress === 0.5 ? job : null;
      }, "job active with progress 0.5");
      expect(active).toMatchObject({ attempts: 1, finishedAt: null });
      release.resolve();
      expect(await settled(queue, "progressing", "completed")).toMatchObject({ progress: 1 });
    });

    test("jobs accepted by a closed instance run in the next one", async () => {
      const writer = await openQueue();
      await writer.enqueue({ value: "kept" }, { id: "persisted" });
      await close(writer);
      const reader = await openQueue();
      expect(await reader.get("persisted")).toMatchObject({ state: "queued", data: { value: "kept" } });
      const seen: string[] = [];
      await reader.start(async (job) => void seen.push(job.data.value));
      await settled(reader, "persisted", "completed");
      expect(seen).toEqual(["kept"]);
      await close(reader);
      expect(await (await openQueue()).get("persisted")).toMatchObject({ state: "completed", attempts: 1 });
    });

    test("close() waits for a running handler to finish", async () => {
      const queue = await openQueue({ closeGraceMs: 5_000 });
      let finished = false;
      const started = signal();
      await queue.start(async () => {
        started.resolve();
        await delay(300);
        finished = true;
      });
      await queue.enqueue({ value: "x" }, { id: "slow" });
      await started.promise;
      await close(queue);
      expect(finished).toBe(true);
      expect(await (await openQueue()).get("slow")).toMatchObject({ state: "completed", attempts: 1 });
    });

    test("close() past its grace period aborts the handler and leaves the job to the next instance", async () => {
      const queue = await openQueue({ closeGraceMs: 150 });
      const started = signal();
      let aborted = false;
      await queue.start(async (_job, context) => {
        started.resolve();
        await new Promise((_resolve, reject) =>
          context.signal.addEventListener("abort", () => ((aborted = true), reject(new Error("aborted"))), { once: true }),
        );
      });
      await queue.enqueue({ value: "x" }, { id: "interrupted" });
      await started.promise;
      await close(queue);
      expect(aborted).toBe(true);

      const next = await openQueue();
      expect(await next.get("interrupted")).toMatchObject({ state: "queued" });
      const runs: string[] = [];
      await next.start(async (job) => void runs.push(job.id));
      await settled(next, "interrupted", "completed");
      expect(runs).toEqual(["interrupted"]);
    });

    test.assertAllDeclared();
  });
}
