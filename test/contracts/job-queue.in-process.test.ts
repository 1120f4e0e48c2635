import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InProcessJobQueue } from "../../src/adapters/job-queue/in-process/in-process-job-queue.js";
import { runJobQueueContract, type ContractPayload } from "./job-queue.contract.js";

runJobQueueContract({
  name: "in-process journal queue",
  create: async () => {
    const directory = await mkdtemp(join(tmpdir(), "ragline-queue-contract-"));
    return {
      open: (settings = {}) => new InProcessJobQueue<ContractPayload>({ directory, backoff: { baseMs: 5, maxMs: 20 }, closeGraceMs: 200, ...settings }),
      cleanup: () => rm(directory, { recursive: true, force: true }),
    };
  },
  skip: [
    {
      reason: "single-process queue: one instance per directory (the journal is locked), api and worker share it in one process",
      tests: ["concurrent enqueues of one id from two instances make one job"],
    },
  ],
});
