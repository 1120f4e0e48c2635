import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SqlDocumentRepository } from "../../src/adapters/document-repository/sql/sql-document-repository.js";
import { BullMqJobQueue } from "../../src/adapters/job-queue/bullmq/bullmq-job-queue.js";
import { redisOptionsFromUrl } from "../../src/adapters/redis/redis-client.js";
import { openPostgresDatabase, type SqlState } from "../../src/adapters/sql/open-database.js";
import { startServerModeBackground, type ServerModeBackground } from "../../src/compose/server-mode-background.js";
import { configSchema } from "../../src/config/schema.js";
import { silentLogger } from "../../src/ports/logger.js";
import type { DocumentRecord } from "../../src/ports/document-repository.js";
import type { IngestJobData } from "../../src/use-cases/ingest-job.js";
import { deleteKeysWithPrefix, describeWithRedis, redisUrl, uniqueKeyPrefix } from "../helpers/redis-available.js";
import { createTestPostgresDatabase, postgresForTests } from "../helpers/test-database.js";
import { waitFor } from "../helpers/wait-for.js";
import { makeRecord } from "../contracts/document-repository.contract.js";

const withPostgres = await postgresForTests("server mode's relay and reconciler on PostgreSQL");

function record(id: string, updatedAt: string): DocumentRecord {
  return makeRecord("t1", id, {
    title: id,
    source: "",
    contentHash: "h",
    byteSize: 1,
    metadata: {},
    jobId: `job-${id}`,
    status: "queued",
    createdAt: updatedAt,
    updatedAt,
  });
}

describeWithRedis("server mode background: relay woken by uploads, periodic reconciler", () => {
  const keyPrefix = uniqueKeyPrefix();
  let database: { url: string; drop(): Promise<void> };
  let state: SqlState;
  let queue: BullMqJobQueue<IngestJobData>;
  let background: ServerModeBackground | undefined;

  beforeAll(async () => {
    if (!withPostgres) return;
    database = await createTestPostgresDatabase();
    state = await openPostgresDatabase({ url: database.url, maxConnections: 3 });
    queue = new BullMqJobQueue<IngestJobData>({ connection: { url: redisUrl }, queueName: "ingest", prefix: keyPrefix });
  });
  afterAll(async () => {
    if (!withPostgres) return;
    await background?.stop();
    await queue.close();
    const raw = new Queue("ingest", { connection: redisOptionsFromUrl(redisUrl), prefix: keyPrefix.replace(/:$/, "") });
    await raw.obliterate({ force: true });
    await raw.close();
    const redis = new Redis(redisUrl);
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
    await state.close();
    await database.drop();
  });

  it.runIf(withPostgres)("relays an upload's job at once (not at the next interval) and re-enqueues a stranded record within a reconcile period", async () => {
    const stored = new SqlDocumentRepository(state, { jobMaxAttempts: 3 });
    // A record older than a reconcile period whose job never reached BullMQ and has no outbox row.
    await stored.put(record("stranded", new Date(Date.now() - 10_000).toISOString()));
    const config = configSchema.parse({
      redis: { url: redisUrl },
      database: { url: database.url },
      ingest: { relayIntervalMs: 600_000, reconcileIntervalMs: 1_000 },
    });
    background = startServerModeBackground({ config, state, documents: stored, queue, logger: silentLogger });

    await waitFor(async () => (await queue.get("job-stranded"))?.state === "queued", "the reconciler re-enqueues the stranded record", 5_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const uploaded = record("uploaded", new Date().toISOString());
    const data: IngestJobData = { tenant: "t1", documentId: "uploaded", revision: 1, blobKey: "t1/uploaded/1" };
    await background.documents.putWithJob(uploaded, { id: uploaded.jobId, data });
    // Only the relay sets relayed_at, and its interval (10 minutes) is far away: the upload woke it.
    await waitFor(
      async () => (await state.db.selectFrom("jobs").select("relayed_at").where("id", "=", "job-uploaded").executeTakeFirst())?.relayed_at,
      "the relay, woken by the upload, relays its job",
      3_000,
      20,
    );
    expect(await queue.get("job-uploaded")).toMatchObject({ state: "queued", data });
  });
});
