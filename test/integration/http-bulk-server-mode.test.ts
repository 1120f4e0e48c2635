import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { deleteKeysWithPrefix, describeWithRedis, redisUrl, uniqueKeyPrefix } from "../helpers/redis-available.js";
import { createTestPostgresDatabase, postgresForTests } from "../helpers/test-database.js";
import { jsonRequest, startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

// Server mode (records and batches in PostgreSQL, the queue on BullMQ): a bulk upload is followed through its batch and the jobs listing.

type Json = Record<string, any>;

const withPostgres = await postgresForTests("bulk uploads in server mode");

describeWithRedis("bulk upload in server mode (PostgreSQL + BullMQ)", () => {
  const keyPrefix = uniqueKeyPrefix();
  let database: { url: string; drop(): Promise<void> };
  let test: TestRuntime;

  beforeAll(async () => {
    if (!withPostgres) return;
    database = await createTestPostgresDatabase();
    test = await startTestRuntime({ database: { url: database.url }, redis: { url: redisUrl, keyPrefix }, chunking: { size: 64, overlap: 8 } });
  });
  afterAll(async () => {
    if (!withPostgres) return;
    await test.close();
    const redis = new Redis(redisUrl);
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
    await database.drop();
  });

  it.runIf(withPostgres)("follows a JSON bulk through its batch, lists its jobs by state and shows the queue gauges", async () => {
    const documents = Array.from({ length: 40 }, (_, index) => ({
      text: `Server mode item ${index} about freight trains and sidings.`,
      source: `item-${index}.txt`,
    }));
    documents.push({ text: "", source: "empty.txt" });
    const response = await test.app.request("/v1/documents", jsonRequest("POST", { documents }));
    expect(response.status).toBe(202);
    const body = (await response.json()) as Json;
    expect(body.counts).toEqual({ accepted: 40, duplicate: 0, updated: 0, refused: 1 });
    expect(body.documents[40]).toMatchObject({ name: "empty.txt", status: "refused" });

    const batch = await waitFor(
      async () => {
        const current = (await (await test.app.request(`/v1/batches/${body.batch_id}`)).json()) as Json;
        return current.done ? current : null;
      },
      "batch done",
      60_000,
      100,
    );
    expect(batch).toMatchObject({ items: 41, progress: 1, documents: { indexed: 40 }, failures: [{ index: 40, name: "empty.txt", stage: "upload" }] });

    const listed: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Json = (await (
        await test.app.request(`/v1/jobs?state=completed&limit=15${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)
      ).json()) as Json;
      expect(page.jobs.every((job: Json) => job.state === "completed")).toBe(true);
      listed.push(...page.jobs.map((job: Json) => job.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(listed.sort()).toEqual(
      body.documents
        .slice(0, 40)
        .map((item: Json) => item.job_id)
        .sort(),
    );

    const metrics = await (await test.app.request("/metrics")).text();
    expect(metrics).toMatch(/^ragline_ingest_queue_depth 0$/m);
    expect(metrics).toMatch(/^ragline_ingest_jobs_in_flight 0$/m);
  });
});
