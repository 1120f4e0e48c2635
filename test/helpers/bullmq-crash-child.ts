/**
 * Child process for the BullMQ crash-limit test:
 * `node --import tsx test/helpers/bullmq-crash-child.ts <redisUrl> <prefix> <maxCrashes>`.
 * Works the `ingest` queue like `npm run worker` does; a job whose payload value is `poison` makes
 * the process exit mid-job (the stand-in for a parser that kills its worker), any other completes.
 * Prints `quarantined <id> <state>: <error>` for each job failed for crashing too often.
 */
import { BullMqJobQueue } from "../../src/adapters/job-queue/bullmq/bullmq-job-queue.js";

const [redisUrl, prefix, maxCrashes] = process.argv.slice(2);
if (!redisUrl || !prefix || !maxCrashes) {
  process.stderr.write("usage: bullmq-crash-child.ts <redisUrl> <prefix> <maxCrashes>\n");
  process.exit(2);
}

const queue = new BullMqJobQueue<{ value: string }>({
  connection: { url: redisUrl },
  queueName: "ingest",
  prefix,
  stalled: { lockDurationMs: 500, stalledIntervalMs: 300, maxCrashes: Number(maxCrashes) },
});
await queue.start(
  async (job) => {
    if (job.data.value === "poison") process.exit(70);
  },
  { onQuarantined: async (job) => void process.stdout.write(`quarantined ${job.id} ${job.state}: ${job.error}\n`) },
);
process.stdout.write("started\n");
