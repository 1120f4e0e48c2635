import { afterEach, describe, expect } from "vitest";
import { UnprocessableDocumentError, UpstreamUnavailableError } from "../../src/core/errors.js";
import type { Job, JobOutcome, JobQueue } from "../../src/ports/job-queue.js";
import { contractCases, type ContractOptions } from "../helpers/contract-suite.js";
import { waitFor } from "../helpers/wait-for.js";
import type { ContractPayload, JobQueueFixture, JobQueueSettings } from "./job-queue.contract.js";

export const jobQueueBatchContractTests = [
  "hands due jobs over in batches of at most batchSize, each job once",
  "never runs more batches at once than the concurrency",
  "jobs that arrive while every batch slot is busy make the next batch",
  "each job of a batch settles by its own outcome: completed, retried, dead letter",
  "a batch handler that throws fails each of its jobs with that error",
  "progress reported by a batch is each of its jobs' progress",
] as const;

export type JobQueueBatchContractTest = (typeof jobQueueBatchContractTests)[number];

const delay = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** The batch half of the `JobQueue` port's contract (`startBatches`, see src/ports/job-queue.ts), run once per adapter. */
export function runJobQueueBatchContract(options: ContractOptions<JobQueueFixture, JobQueueBatchContractTest>): void {
  describe(`JobQueue batch contract: ${options.name}`, () => {
    const test = contractCases(jobQueueBatchContractTests, options.skip);
    let fixture: JobQueueFixture | undefined;
    const open: Array<JobQueue<ContractPayload>> = [];

    afterEach(async () => {
      await Promise.all(open.splice(0).map((queue) => queue.close()));
      await fixture?.cleanup();
      fixture = undefined;
    });

    async function openQueue(settings?: JobQueueSettings): Promise<JobQueue<ContractPayload>> {
      fixture ??= await options.create();
      const queue = await fixture.open(settings);
      open.push(queue);
      return queue;
    }

    async function enqueueAll(queue: JobQueue<ContractPayload>, ids: string[]): Promise<void> {
      for (const id of ids) await queue.enqueue({ value: id }, { id });
    }

    async function settled(queue: JobQueue<ContractPayload>, id: string, state: "completed" | "failed"): Promise<Job<ContractPayload>> {
      return waitFor(async () => {
        const job = await queue.get(id);
        return job?.state === state ? job : null;
      }, `job ${id} ${state}`);
    }

    const succeedAll = (jobs: unknown[]): JobOutcome[] => jobs.map(() => ({ ok: true }));

    test("hands due jobs over in batches of at most batchSize, each job once", async () => {
      const queue = await openQueue();
      const ids = Array.from({ length: 25 }, (_, index) => `job-${index}`);
      await enqueueAll(queue, ids);
      const batches: string[][] = [];
      await queue.startBatches(
        async (jobs) => {
          batches.push(jobs.map((job) => job.id));
          expect(jobs.every((job) => job.state === "active" && job.attempts === 1)).toBe(true);
          return succeedAll(jobs);
        },
        { batchSize: 10, concurrency: 2 },
      );
      for (const id of ids) await settled(queue, id, "completed");
      expect(batches.flat().sort()).toEqual([...ids].sort());
      expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(10);
      expect(batches.length).toBeLessThan(ids.length);
    });

    test("never runs more batches at once than the concurrency", async () => {
      const queue = await openQueue();
      const ids = Array.from({ length: 12 }, (_, index) => `job-${index}`);
      await enqueueAll(queue, ids);
      let running = 0;
      let maximum = 0;
      await queue.startBatches(
        async (jobs) => {
          running += 1;
          maximum = Math.max(maximum, running);
          await delay(60);
          running -= 1;
          return succeedAll(jobs);
        },
        { batchSize: 2, concurrency: 3 },
      );
      for (const id of ids) await settled(queue, id, "completed");
      expect(maximum).toBe(3);
    });

    test("jobs that arrive while every batch slot is busy make the next batch", async () => {
      const queue = await openQueue();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const batches: string[][] = [];
      await queue.startBatches(
        async (jobs) => {
          batches.push(jobs.map((job) => job.id));
          if (batches.length === 1) await held;
          return succeedAll(jobs);
        },
        { batchSize: 10, concurrency: 1 },
      );
      await enqueueAll(queue, ["first"]);
      await waitFor(async () => batches.length === 1, "the first batch started");
      const later = ["second", "third", "fourth", "fifth"];
      await enqueueAll(queue, later);
      await delay(150);
      release();
      for (const id of later) await settled(queue, id, "completed");
      expect(batches).toEqual([["first"], later]);
    });

    test("each job of a batch settles by its own outcome: completed, retried, dead letter", async () => {
      const queue = await openQueue({ maxAttempts: 3 });
      const ids = ["fine", "flaky", "broken", "also-fine"];
      await enqueueAll(queue, ids);
      const attemptsOf = new Map<string, number[]>();
      await queue.startBatches(
        async (jobs) =>
          jobs.map((job): JobOutcome => {
            attemptsOf.set(job.id, [...(attemptsOf.get(job.id) ?? []), job.attempts]);
            if (job.id === "flaky" && job.attempts === 1) return { ok: false, error: new UpstreamUnavailableError("embedder down") };
            if (job.id === "broken") return { ok: false, error: new UnprocessableDocumentError("PDF is encrypted") };
            return { ok: true };
          }),
        { batchSize: 10, concurrency: 1 },
      );
      expect(await settled(queue, "fine", "completed")).toMatchObject({ attempts: 1, progress: 1, error: null });
      expect(await settled(queue, "also-fine", "completed")).toMatchObject({ attempts: 1 });
      expect(await settled(queue, "flaky", "completed")).toMatchObject({ attempts: 2, error: null });
      expect(await settled(queue, "broken", "failed")).toMatchObject({ attempts: 1, error: "PDF is encrypted" });
      await delay(100);
      expect(Object.fromEntries(attemptsOf)).toEqual({ fine: [1], "also-fine": [1], flaky: [1, 2], broken: [1] });
      expect((await queue.listFailed()).map((job) => job.id)).toEqual(["broken"]);
    });

    test("a batch handler that throws fails each of its jobs with that error", async () => {
      const queue = await openQueue();
      await enqueueAll(queue, ["a", "b"]);
      await queue.startBatches(
        async () => {
          throw new UnprocessableDocumentError("the whole batch is unreadable");
        },
        { batchSize: 10, concurrency: 1 },
      );
      for (const id of ["a", "b"]) expect(await settled(queue, id, "failed")).toMatchObject({ error: "the whole batch is unreadable", attempts: 1 });
    });

    test("progress reported by a batch is each of its jobs' progress", async () => {
      const queue = await openQueue();
      await enqueueAll(queue, ["p1", "p2"]);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await queue.startBatches(
        async (jobs, context) => {
          await context.reportProgress(0.5);
          await held;
          return succeedAll(jobs);
        },
        { batchSize: 10, concurrency: 1 },
      );
      await waitFor(async () => {
        const jobs = await Promise.all(["p1", "p2"].map((id) => queue.get(id)));
        return jobs.every((job) => job?.state === "active" && job.progress === 0.5) ? jobs : null;
      }, "both jobs active with progress 0.5");
      release();
      for (const id of ["p1", "p2"]) expect(await settled(queue, id, "completed")).toMatchObject({ progress: 1 });
    });

    test.assertAllDeclared();
  });
}
