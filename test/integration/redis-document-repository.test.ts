import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { closeRedisClient, createRedisClient, waitForRedisReady } from "../../src/adapters/redis/redis-client.js";
import type { DocumentRecord } from "../../src/ports/document-repository.js";
import { RedisDocumentRepository } from "../../src/adapters/document-repository/redis/redis-document-repository.js";
import { deleteKeysWithPrefix, describeWithRedis, redisUrl, uniqueKeyPrefix } from "../helpers/redis-available.js";

function makeRecord(tenant: string, id: string, overrides: Partial<DocumentRecord> = {}): DocumentRecord {
  const createdAt = overrides.createdAt ?? "2024-05-01T10:00:00.000Z";
  return {
    tenant,
    id,
    title: `Title ${id}`,
    source: `${id}.txt`,
    mediaType: "text/plain",
    status: "queued",
    contentHash: "0".repeat(64),
    byteSize: 10,
    chunkCount: 0,
    metadata: { nested: { list: [], empty: {} } },
    revision: 1,
    jobId: `ingest:${id}:1`,
    error: null,
    createdAt,
    updatedAt: createdAt,
    indexedAt: null,
    ...overrides,
  };
}

describeWithRedis("RedisDocumentRepository (real Redis; the DocumentRepository contract runs in test/contracts/document-repository.redis.test.ts)", () => {
  let first: Redis;
  let second: Redis;
  let keyPrefix: string;
  let repository: RedisDocumentRepository;

  beforeAll(async () => {
    first = createRedisClient(redisUrl);
    second = createRedisClient(redisUrl);
    await Promise.all([waitForRedisReady(first, 5_000), waitForRedisReady(second, 5_000)]);
  });

  beforeEach(() => {
    keyPrefix = uniqueKeyPrefix();
    repository = new RedisDocumentRepository({ redis: first, keyPrefix });
  });

  afterEach(async () => {
    await deleteKeysWithPrefix(first, keyPrefix);
  });

  afterAll(async () => {
    await Promise.all([closeRedisClient(first), closeRedisClient(second)]);
  });

  it("applies every concurrent update from two client connections", async () => {
    const other = new RedisDocumentRepository({ redis: second, keyPrefix });
    await repository.put(makeRecord("acme", "shared", { metadata: {} }));
    const writes = Array.from({ length: 40 }, (_, index) => {
      const writer = index % 2 === 0 ? repository : other;
      return async () => {
        const current = await writer.get("acme", "shared");
        // Each writer adds its own field on top of what it read; the repository must not lose any.
        return writer.update("acme", "shared", { [`field${index}` as "title"]: `value${index}`, chunkCount: (current?.chunkCount ?? 0) + 1 });
      };
    });
    await Promise.all(writes.map((write) => write()));
    const final = (await repository.get("acme", "shared")) as unknown as Record<string, unknown>;
    for (let index = 0; index < 40; index += 1) expect(final[`field${index}`]).toBe(`value${index}`);

    // Status changes from both connections keep the status index consistent with the records.
    await Promise.all(
      Array.from({ length: 20 }, (_, index) => (index % 2 ? repository : other).update("acme", "shared", { status: index % 2 ? "processing" : "indexed" })),
    );
    const status = (await repository.get("acme", "shared"))!.status;
    expect((await repository.listByStatus([status], 10)).map((record) => record.id)).toEqual(["shared"]);
    const otherStatus = status === "indexed" ? "processing" : "indexed";
    expect(await repository.listByStatus([otherStatus], 10)).toEqual([]);
  });
});
