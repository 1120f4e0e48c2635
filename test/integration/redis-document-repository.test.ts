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

describeWithRedis("RedisDocumentRepository (real Redis)", () => {
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

  it("creates, reads, updates and deletes a record, keeping JSON values intact", async () => {
    const record = makeRecord("acme", "doc:1/ä", { metadata: { tags: [], big: 9007199254740991, empty: {}, none: null } });
    expect(await repository.get("acme", "doc:1/ä")).toBeNull();
    await repository.put(record);
    expect(await repository.get("acme", "doc:1/ä")).toEqual(record);

    const updated = await repository.update("acme", "doc:1/ä", { status: "indexed", chunkCount: 3, error: undefined, indexedAt: "2024-05-01T10:05:00.000Z" });
    expect(updated).toMatchObject({ status: "indexed", chunkCount: 3, error: null, title: record.title, metadata: record.metadata });
    expect(updated!.updatedAt > record.updatedAt).toBe(true);
    expect(await repository.get("acme", "doc:1/ä")).toEqual(updated);
    expect(await repository.update("acme", "missing", { status: "failed" })).toBeNull();
    expect(await repository.get("acme", "missing")).toBeNull();

    await repository.put({ ...record, title: "Replaced", revision: 2 });
    expect(await repository.get("acme", "doc:1/ä")).toMatchObject({ title: "Replaced", revision: 2, status: "queued" });

    expect(await repository.delete("acme", "doc:1/ä")).toBe(true);
    expect(await repository.delete("acme", "doc:1/ä")).toBe(false);
    expect(await repository.get("acme", "doc:1/ä")).toBeNull();
    expect((await repository.list("acme", { limit: 10 })).items).toEqual([]);
  });

  it("keeps tenants apart, even with ids and tenant names that look like key separators", async () => {
    await repository.put(makeRecord("a", "b:c"));
    await repository.put(makeRecord("a:b", "c"));
    expect(await repository.get("a", "b:c")).toMatchObject({ tenant: "a", id: "b:c" });
    expect(await repository.get("a:b", "c")).toMatchObject({ tenant: "a:b", id: "c" });
    expect(await repository.get("a", "c")).toBeNull();
    expect(await repository.get("a:b", "b:c")).toBeNull();
    expect(await repository.update("other", "b:c", { title: "hijack" })).toBeNull();
    expect(await repository.delete("other", "b:c")).toBe(false);
    expect((await repository.list("a", { limit: 10 })).items.map((record) => record.id)).toEqual(["b:c"]);
    expect((await repository.list("a:b", { limit: 10 })).items.map((record) => record.id)).toEqual(["c"]);
    expect((await repository.list("other", { limit: 10 })).items).toEqual([]);
  });

  it("lists newest first (ties by id) and pagination covers every record exactly once", async () => {
    const base = Date.parse("2024-01-01T00:00:00.000Z");
    const records = Array.from({ length: 23 }, (_, index) =>
      makeRecord("acme", `doc-${String(index).padStart(2, "0")}`, { createdAt: new Date(base + Math.floor(index / 3) * 1_000).toISOString() }),
    );
    for (const record of [...records].reverse()) await repository.put(record);
    const expectedOrder = [...records]
      .sort((left, right) => (left.createdAt !== right.createdAt ? (left.createdAt > right.createdAt ? -1 : 1) : left.id < right.id ? -1 : 1))
      .map((record) => record.id);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await repository.list("acme", { limit: 5, cursor });
      seen.push(...page.items.map((record) => record.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor !== undefined);
    expect(seen).toEqual(expectedOrder);
    expect(pages).toBe(5);

    const exact = await repository.list("acme", { limit: 23 });
    expect(exact.items).toHaveLength(23);
    expect(exact.nextCursor).toBeNull();

    // A record deleted between pages is skipped and the page is filled from the next ones.
    const firstPage = await repository.list("acme", { limit: 5 });
    await repository.delete("acme", expectedOrder[5]!);
    const secondPage = await repository.list("acme", { limit: 5, cursor: firstPage.nextCursor! });
    expect(secondPage.items.map((record) => record.id)).toEqual(expectedOrder.slice(6, 11));

    await expect(repository.list("acme", { limit: 5, cursor: "not-a-cursor" })).rejects.toMatchObject({ code: "validation_error" });
    await expect(repository.list("acme", { limit: 0 })).rejects.toMatchObject({ code: "validation_error" });
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

  it("listByStatus finds records of every tenant in the given statuses, least recently updated first", async () => {
    await repository.put(makeRecord("t1", "a", { status: "processing", updatedAt: "2024-01-01T00:00:03.000Z" }));
    await repository.put(makeRecord("t2", "b", { status: "processing", updatedAt: "2024-01-01T00:00:01.000Z" }));
    await repository.put(makeRecord("t2", "c", { status: "queued", updatedAt: "2024-01-01T00:00:02.000Z" }));
    await repository.put(makeRecord("t3", "d", { status: "indexed" }));
    const processing = await repository.listByStatus(["processing"], 10);
    expect(processing.map((record) => `${record.tenant}/${record.id}`)).toEqual(["t2/b", "t1/a"]);
    const stuck = await repository.listByStatus(["processing", "queued"], 2);
    expect(stuck.map((record) => `${record.tenant}/${record.id}`)).toEqual(["t2/b", "t2/c"]);
    await repository.update("t2", "b", { status: "indexed" });
    await repository.delete("t1", "a");
    expect(await repository.listByStatus(["processing"], 10)).toEqual([]);
  });
});
