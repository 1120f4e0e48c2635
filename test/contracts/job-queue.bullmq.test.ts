import { Queue } from "bullmq";
import { BullMqJobQueue } from "../../src/adapters/job-queue/bullmq/bullmq-job-queue.js";
import { closeRedisClient, createRedisClient, redisOptionsFromUrl, waitForRedisReady } from "../../src/adapters/redis/redis-client.js";
import { deleteKeysWithPrefix, describeWithRedis, redisUrl, uniqueKeyPrefix } from "../helpers/redis-available.js";
import { runJobQueueContract, type ContractPayload, type JobQueueFixture } from "./job-queue.contract.js";
import { runJobQueueBatchContract } from "./job-queue-batches.contract.js";

const QUEUE_NAME = "ingest";

async function bullMqFixture(): Promise<JobQueueFixture> {
  const keyPrefix = uniqueKeyPrefix();
  return {
    open: (settings = {}) =>
      new BullMqJobQueue<ContractPayload>({
        connection: { url: redisUrl },
        queueName: QUEUE_NAME,
        prefix: keyPrefix,
        backoff: { baseMs: 10, maxMs: 50 },
        closeGraceMs: 2_000,
        ...settings,
      }),
    cleanup: async () => {
      const raw = new Queue(QUEUE_NAME, { connection: redisOptionsFromUrl(redisUrl), prefix: keyPrefix.replace(/:$/, "") });
      await raw.obliterate({ force: true });
      await raw.close();
      const admin = createRedisClient(redisUrl);
      await waitForRedisReady(admin, 5_000);
      await deleteKeysWithPrefix(admin, keyPrefix);
      await closeRedisClient(admin);
    },
  };
}

describeWithRedis("BullMQ job queue (real Redis)", () => {
  runJobQueueContract({ name: "BullMQ", create: bullMqFixture });
  runJobQueueBatchContract({ name: "BullMQ", create: bullMqFixture });
});
