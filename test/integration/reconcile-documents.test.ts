import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DocumentRecord } from "../../src/ports/document-repository.js";
import { SqlDocumentRepository } from "../../src/adapters/document-repository/sql/sql-document-repository.js";
import { BullMqJobQueue } from "../../src/adapters/job-queue/bullmq/bullmq-job-queue.js";
import { redisOptionsFromUrl } from "../../src/adapters/redis/redis-client.js";
import { openPostgresDatabase, type SqlState } from "../../src/adapters/sql/open-database.js";
import { UnprocessableDocumentError } from "../../src/core/errors.js";
import type { IngestJobData } from "../../src/use-cases/ingest-job.js";
import { reconcileDocuments } from "../../src/use-cases/reconcile-documents.js";
import { deleteKeysWithPrefix, describeWithRedis, redisUrl, uniqueKeyPrefix } from "../helpers/redis-available.js";
import { createTestPostgresDatabase, postgresForTests } from "../helpers/test-database.js";
import { waitFor } from "../helpers/wait-for.js";
import { makeRecord } from "../contracts/document-repository.contract.js";

const withPostgres = await postgresForTests("reconcileDocuments on PostgreSQL records and BullMQ jobs");
const MINUTE = 60_000;

function record(id: string, status: DocumentRecord["status"], updatedAt: string): DocumentRecord {
  return makeRecord("t1", id, {
    title: id,
    source: "",
    contentHash: "h",
    byteSize: 1,
    metadata: {},
    jobId: `job-${id}`,
    status,
    createdAt: updatedAt,
    updatedAt,
  });
}

function jobData(id: string): IngestJobData {
  return { tenant: "t1", documentId: id, revision: 1, blobKey: `t1/${id}/1` };
}

describeWithRedis("reconcileDocuments (PostgreSQL records, BullMQ jobs)", () => {
  const keyPrefix = uniqueKeyPrefix();
  let database: { url: string; drop(): Promise<void> };
  let state: SqlState;
  const queues: BullMqJobQueue<IngestJobData>[] = [];
  const openQueue = () => {
    const queue = new BullMqJobQueue<IngestJobData>({ connection: { url: redisUrl }, queueName: "ingest", prefix: keyPrefix, closeGraceMs: 1_000 });
    queues.push(queue);
    return queue;
  };

  beforeAll(async () => {
    if (!withPostgres) return;
    database = await createTestPostgresDatabase();
    state = await openPostgresDatabase({ url: database.url, maxConnections: 2 });
  });
  afterAll(async () => {
    await Promise.all(queues.map((queue) => queue.close()));
    const raw = new Queue("ingest", { connection: redisOptionsFromUrl(redisUrl), prefix: keyPrefix.replace(/:$/, "") });
    await raw.obliterate({ force: true });
    await raw.close();
    const redis = new Redis(redisUrl);
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
    await state?.close();
    await database?.drop();
  });

  it.runIf(withPostgres)(
    "re-enqueues documents whose job vanished, fails those whose job failed, leaves live, completed, finished and recent ones alone",
    async () => {
      const documents = new SqlDocumentRepository(state, { jobMaxAttempts: 3 });
      const worker = openQueue();
      await worker.start(async (job) => {
        if (job.data.documentId === "broken") throw new UnprocessableDocumentError("cannot parse");
      });
      await worker.enqueue(jobData("broken"), { id: "job-broken" });
      await worker.enqueue(jobData("completed"), { id: "job-completed" });
      await waitFor(
        async () => (await worker.get("job-broken"))?.state === "failed" && (await worker.get("job-completed"))?.state === "completed",
        "jobs settled",
      );
      await worker.close();
      const queue = openQueue();
      await queue.enqueue(jobData("live"), { id: "job-live" });

      const now = new Date();
      const old = new Date(now.getTime() - 5 * MINUTE).toISOString();
      await documents.put(record("stranded", "processing", old));
      await documents.put(record("broken", "processing", old));
      await documents.put(record("completed", "processing", old));
      await documents.put(record("live", "queued", old));
      await documents.put(record("done", "indexed", old));
      // Just written: its outbox row may not be relayed yet, so it is not stranded.
      await documents.put(record("recent", "queued", new Date(now.getTime() - 1_000).toISOString()));

      const result = await reconcileDocuments({ documents, queue, now: () => now }, { stableForMs: MINUTE });
      expect(result).toEqual({ requeued: 1, failed: 1 });
      expect(await queue.get("job-stranded")).toMatchObject({ state: "queued", data: jobData("stranded") });
      expect(await documents.get("t1", "broken")).toMatchObject({ status: "failed", error: "cannot parse" });
      expect(await documents.get("t1", "completed")).toMatchObject({ status: "processing" });
      expect(await documents.get("t1", "live")).toMatchObject({ status: "queued" });
      expect(await queue.get("job-done")).toBeNull();
      expect(await queue.get("job-recent")).toBeNull();

      // A second pass finds nothing new to do: the stranded job now exists.
      expect(await reconcileDocuments({ documents, queue, now: () => now }, { stableForMs: MINUTE })).toEqual({ requeued: 0, failed: 0 });
    },
  );
});
