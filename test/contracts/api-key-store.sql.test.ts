import { describe, expect, it } from "vitest";
import { SqlApiKeyStore } from "../../src/adapters/api-key-store/sql/sql-api-key-store.js";
import { generateApiKey, hashApiKey } from "../../src/core/api-keys.js";
import type { ApiKeyRecord, ApiKeyStore } from "../../src/ports/api-key-store.js";
import { UpstreamUnavailableError } from "../../src/core/errors.js";
import { createKeyAuthenticator } from "../../src/use-cases/api-keys.js";
import { openTestPostgres, openTestSqlite, postgresForTests, type TestSqlState } from "../helpers/test-database.js";

function record(tenant: string, createdAt: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord & { key: string } {
  const { id, key } = generateApiKey();
  return { id, key, tenant, keyHash: hashApiKey(key), scopes: ["read"], name: "", createdAt, expiresAt: null, revokedAt: null, ...overrides };
}

function runApiKeyStoreContract(name: string, open: () => Promise<TestSqlState>): void {
  describe(`ApiKeyStore: ${name}`, () => {
    it("finds a key by hash, refuses a duplicate, lists newest first per tenant page by page, revokes once", async () => {
      const { state, cleanup } = await open();
      try {
        const store = new SqlApiKeyStore(state);
        const keys = [0, 1, 2, 3, 4].map((index) => record(index % 2 ? "beta" : "alpha", `2026-11-27T10:00:0${index}.000Z`, { scopes: ["read", "write"] }));
        for (const key of keys) {
          const { key: _secret, ...stored } = key;
          await store.insert(stored);
        }
        const found = await store.findByHash(keys[2]!.keyHash);
        expect(found).toMatchObject({ id: keys[2]!.id, tenant: "alpha", scopes: ["read", "write"], revokedAt: null, expiresAt: null });
        expect(await store.findByHash(hashApiKey("not a key"))).toBeNull();
        await expect(store.insert({ ...found!, id: generateApiKey().id })).rejects.toThrow();

        const first = await store.list({ tenant: "alpha", limit: 2 });
        expect(first.keys.map((key) => key.id)).toEqual([keys[4]!.id, keys[2]!.id]);
        const second = await store.list({ tenant: "alpha", limit: 2, cursor: first.nextCursor });
        expect(second.keys.map((key) => key.id)).toEqual([keys[0]!.id]);
        expect(second.nextCursor).toBeNull();
        expect((await store.list({ limit: 10 })).keys).toHaveLength(5);

        const revoked = await store.revoke(keys[1]!.id, "2026-11-27T11:00:00.000Z");
        expect(revoked?.revokedAt).toBe("2026-11-27T11:00:00.000Z");
        expect((await store.revoke(keys[1]!.id, "2026-11-27T12:00:00.000Z"))?.revokedAt).toBe("2026-11-27T11:00:00.000Z");
        expect(await store.revoke("0123456789abcdef", "2026-11-27T12:00:00.000Z")).toBeNull();
      } finally {
        await cleanup();
      }
    });
  });
}

runApiKeyStoreContract("SQL on SQLite", () => openTestSqlite("ragline-keys-sqlite-"));

if (await postgresForTests("the SQL API key store on PostgreSQL")) {
  runApiKeyStoreContract("SQL on PostgreSQL", () => openTestPostgres());
}

describe("createKeyAuthenticator", () => {
  function memoryStore(): ApiKeyStore & { records: ApiKeyRecord[]; lookups: number; failing: boolean } {
    const store = {
      records: [] as ApiKeyRecord[],
      lookups: 0,
      failing: false,
      insert: async (key: ApiKeyRecord) => void store.records.push(key),
      findByHash: async (hash: string) => {
        store.lookups++;
        if (store.failing) throw new Error("connection refused");
        return store.records.find((key) => key.keyHash === hash) ?? null;
      },
      list: async () => ({ keys: store.records, nextCursor: null }),
      revoke: async () => null,
    };
    return store;
  }

  it("caches stored keys (misses too) for cacheMs, so revocation and expiry apply within it", async () => {
    let now = Date.parse("2026-11-27T10:00:00Z");
    const store = memoryStore();
    const key = record("acme", "2026-11-27T09:00:00.000Z", { expiresAt: "2026-11-27T10:00:05.000Z" });
    store.records.push({ ...key });
    const authenticate = createKeyAuthenticator({
      configKeys: [{ key: "config-key-0123456789", tenant: "ops", scopes: ["admin"] }],
      store,
      now: () => new Date(now),
      cacheMs: 1_000,
    });

    expect(await authenticate(key.key)).toMatchObject({ tenant: "acme", keyId: key.id });
    // The database row changes; the cached copy does not.
    store.records[0] = { ...key, revokedAt: "2026-11-27T10:00:00.500Z" };
    expect(await authenticate(key.key)).not.toBeNull();
    now += 1_001;
    expect(await authenticate(key.key)).toBeNull();

    const other = record("acme", "2026-11-27T09:00:00.000Z", { expiresAt: "2026-11-27T10:00:05.000Z" });
    store.records.push(other);
    expect(await authenticate(other.key)).not.toBeNull();
    now = Date.parse("2026-11-27T10:00:05.000Z");
    expect(await authenticate(other.key)).toBeNull();

    const lookups = store.lookups;
    for (let attempt = 0; attempt < 20; attempt++) expect(await authenticate(generateApiKey().key)).toBeNull();
    expect(await authenticate("anything that is not our format")).toBeNull();
    expect(store.lookups).toBe(lookups + 20);
    const bogus = generateApiKey().key;
    await authenticate(bogus);
    await authenticate(bogus);
    expect(store.lookups).toBe(lookups + 21);

    expect(await authenticate("config-key-0123456789")).toMatchObject({ tenant: "ops", keyId: "config-0" });
    expect([...(await authenticate("config-key-0123456789"))!.scopes]).toEqual(["admin"]);
    expect(await authenticate("config-key-0123456789 ")).toBeNull();
  });

  it("a key store that cannot be reached is 503 with Retry-After, not 401", async () => {
    const store = memoryStore();
    store.failing = true;
    const authenticate = createKeyAuthenticator({ configKeys: [], store });
    const failure = await authenticate(generateApiKey().key).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamUnavailableError);
    expect((failure as UpstreamUnavailableError).retryAfterSeconds).toBe(1);
  });
});
