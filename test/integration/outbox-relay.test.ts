import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createOutboxRelay } from "../../src/adapters/outbox/outbox-relay.js";
import { BullMqJobQueue } from "../../src/adapters/job-queue/bullmq/bullmq-job-queue.js";
import { redisOptionsFromUrl } from "../../src/adapters/redis/redis-client.js";
import { insertJobRow } from "../../src/adapters/sql/job-rows.js";
import { openPostgresDatabase, type SqlState } from "../../src/adapters/sql/open-database.js";
import type { JobQueue } from "../../src/ports/job-queue.js";
import { deleteKeysWithPrefix, describeWithRedis, redisUrl, uniqueKeyPrefix } from "../helpers/redis-available.js";
import { createTestPostgresDatabase, postgresForTests } from "../helpers/test-database.js";

interface Payload {
  index: number;
}

const withPostgres = await postgresForTests("the outbox relay on PostgreSQL");

describeWithRedis("outbox relay (PostgreSQL jobs table → BullMQ)", () => {
  let database: { url: string; drop(): Promise<void> };
  let keyPrefix: string;
  const states: SqlState[] = [];
  const queues: BullMqJobQueue<Payload>[] = [];

  // Each call is one process's view: its own connection pool and its own BullMQ producer.
  async function openProcess(): Promise<{ state: SqlState; queue: BullMqJobQueue<Payload> }> {
    const state = await openPostgresDatabase({ url: database.url, maxConnections: 3 });
    const queue = new BullMqJobQueue<Payload>({ connection: { url: redisUrl }, queueName: "ingest", prefix: keyPrefix });
    states.push(state);
    queues.push(queue);
    return { state, queue };
  }

  async function writeRows(state: SqlState, count: number): Promise<void> {
    const now = new Date().toISOString();
    for (let index = 0; index < count; index += 1) await insertJobRow(state.db, { id: `job:${index}`, data: { index }, maxAttempts: 3, now });
  }

  async function unrelayedCount(state: SqlState): Promise<number> {
    const rows = await state.db.selectFrom("jobs").select("id").where("relayed_at", "is", null).execute();
    return rows.length;
  }

  beforeEach(async () => {
    if (!withPostgres) return;
    database = await createTestPostgresDatabase();
    keyPrefix = uniqueKeyPrefix();
  });
  afterEach(async () => {
    if (!withPostgres) return;
    await Promise.all(queues.splice(0).map((queue) => queue.close()));
    await Promise.all(states.splice(0).map((state) => state.close()));
    const raw = new Queue("ingest", { connection: redisOptionsFromUrl(redisUrl), prefix: keyPrefix.replace(/:$/, "") });
    await raw.obliterate({ force: true });
    await raw.close();
    const redis = new Redis(redisUrl);
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
    await database.drop();
  });

  it.runIf(withPostgres)("enqueues every unrelayed row with job id = row id and its data, marks it relayed, and relays nothing twice", async () => {
    const { state, queue } = await openProcess();
    await writeRows(state, 7);
    const relay = createOutboxRelay<Payload>({ state, queue, batchSize: 3 });
    expect(await relay.relayPending()).toBe(7);
    for (let index = 0; index < 7; index += 1) expect(await queue.get(`job:${index}`)).toMatchObject({ state: "queued", data: { index } });
    expect(await unrelayedCount(state)).toBe(0);
    expect(await relay.relayPending()).toBe(0);
  });

  it.runIf(withPostgres)("relays in two processes at once take disjoint rows (FOR UPDATE SKIP LOCKED)", async () => {
    const first = await openProcess();
    const second = await openProcess();
    await writeRows(first.state, 300);
    const relays = [first, second].map(({ state, queue }) => createOutboxRelay<Payload>({ state, queue, batchSize: 20 }));
    const counts = await Promise.all([relays[0]!.relayPending(), relays[1]!.relayPending(), relays[0]!.relayPending(), relays[1]!.relayPending()]);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(300);
    expect(await unrelayedCount(first.state)).toBe(0);
    const raw = new Queue("ingest", { connection: redisOptionsFromUrl(redisUrl), prefix: keyPrefix.replace(/:$/, "") });
    expect(await raw.getWaitingCount()).toBe(300);
    await raw.close();
  });

  it.runIf(withPostgres)("rolls a batch back when the queue fails mid-batch; the replay enqueues each job once", async () => {
    const { state, queue } = await openProcess();
    await writeRows(state, 5);
    let calls = 0;
    const flaky: Pick<JobQueue<Payload>, "enqueue"> = {
      enqueue: async (data, options) => {
        calls += 1;
        if (calls === 3) throw new Error("Redis unreachable");
        return queue.enqueue(data, options);
      },
    };
    await expect(createOutboxRelay<Payload>({ state, queue: flaky, batchSize: 10 }).relayPending()).rejects.toThrow(/Redis unreachable/);
    expect(await unrelayedCount(state)).toBe(5);

    expect(await createOutboxRelay<Payload>({ state, queue }).relayPending()).toBe(5);
    expect(await unrelayedCount(state)).toBe(0);
    const raw = new Queue("ingest", { connection: redisOptionsFromUrl(redisUrl), prefix: keyPrefix.replace(/:$/, "") });
    expect(await raw.getWaitingCount()).toBe(5);
    await raw.close();
  });
});
