import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileBlobStore } from "../../src/adapters/blob-store/file/file-blob-store.js";
import { SqlBlobStore } from "../../src/adapters/blob-store/sql/sql-blob-store.js";
import { TieredBlobStore } from "../../src/adapters/blob-store/sql/tiered-blob-store.js";
import { openPostgresDatabase, openSqliteDatabase, type SqlState } from "../../src/adapters/sql/open-database.js";
import { createTestPostgresDatabase, postgresForTests } from "../helpers/test-database.js";
import { runBlobStoreContract } from "./blob-store.contract.js";

/** Threshold of the tiered stores under test: small enough that the contract's sizes fall on both sides. */
const INLINE_MAX = 1_024;
const SIZES = [0, 1, INLINE_MAX, INLINE_MAX + 1, 300 * 1024];

interface Opened {
  state: SqlState;
  directory: string;
  cleanup(): Promise<void>;
}

async function openSqlite(): Promise<Opened> {
  const directory = await mkdtemp(join(tmpdir(), "ragline-blobs-sqlite-"));
  const state = await openSqliteDatabase({ path: join(directory, "state.sqlite") });
  return {
    state,
    directory,
    cleanup: async () => {
      await state.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

async function openPostgres(): Promise<Opened> {
  const directory = await mkdtemp(join(tmpdir(), "ragline-blobs-postgres-"));
  const database = await createTestPostgresDatabase();
  const state = await openPostgresDatabase({ url: database.url, maxConnections: 4 });
  return {
    state,
    directory,
    cleanup: async () => {
      await state.close();
      await database.drop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function tiered(opened: Opened): TieredBlobStore {
  return new TieredBlobStore({
    small: new SqlBlobStore(opened.state),
    large: new FileBlobStore({ directory: join(opened.directory, "blobs") }),
    inlineMaxBytes: INLINE_MAX,
  });
}

async function filesUnder(directory: string): Promise<string[]> {
  const shards = await readdir(directory).catch(() => []);
  return (await Promise.all(shards.map((shard) => readdir(join(directory, shard))))).flat();
}

async function rowCount(state: SqlState): Promise<number> {
  const row = await state.db
    .selectFrom("blobs")
    .select((eb) => eb.fn.countAll<number | string>().as("count"))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

const dialects: Array<{ name: string; open: () => Promise<Opened> }> = [{ name: "SQLite", open: openSqlite }];
if (await postgresForTests("the SQL blob store on PostgreSQL")) dialects.push({ name: "PostgreSQL", open: openPostgres });

for (const dialect of dialects) {
  runBlobStoreContract({
    name: `SqlBlobStore on ${dialect.name}`,
    sizes: SIZES,
    create: async () => {
      const opened = await dialect.open();
      return { store: new SqlBlobStore(opened.state), cleanup: opened.cleanup };
    },
  });

  runBlobStoreContract({
    name: `TieredBlobStore (SQL + files) on ${dialect.name}`,
    sizes: SIZES,
    create: async () => {
      const opened = await dialect.open();
      return { store: tiered(opened), cleanup: opened.cleanup };
    },
  });

  describe(`TieredBlobStore on ${dialect.name}`, () => {
    let opened: Opened;
    beforeEach(async () => {
      opened = await dialect.open();
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    it("keeps blobs up to the threshold as rows and larger ones as files", async () => {
      const store = tiered(opened);
      await store.putMany([
        { key: "small", bytes: new Uint8Array(INLINE_MAX) },
        { key: "large", bytes: new Uint8Array(INLINE_MAX + 1) },
      ]);
      await store.put("small-2", new Uint8Array(3));
      await store.put("large-2", new Uint8Array(INLINE_MAX * 2));
      expect(await rowCount(opened.state)).toBe(2);
      expect(await filesUnder(join(opened.directory, "blobs"))).toHaveLength(2);
    });

    it("reads blobs written as files before the table existed (an existing data directory)", async () => {
      const files = new FileBlobStore({ directory: join(opened.directory, "blobs") });
      await files.put("tenant/doc/1", new TextEncoder().encode("written by an older version"));
      const store = tiered(opened);
      expect(new TextDecoder().decode((await store.get("tenant/doc/1"))!)).toBe("written by an older version");
      await store.delete("tenant/doc/1");
      expect(await files.get("tenant/doc/1")).toBeNull();
      expect(await store.get("tenant/doc/1")).toBeNull();
    });

    it("a large blob put over a small one is what get returns (the row does not shadow it), and delete removes both tiers", async () => {
      const store = tiered(opened);
      await store.put("key", new Uint8Array([1, 2, 3]));
      await store.put("key", new Uint8Array(INLINE_MAX + 10).fill(9));
      expect(await store.get("key")).toEqual(new Uint8Array(INLINE_MAX + 10).fill(9));
      expect(await rowCount(opened.state)).toBe(0);
      await store.put("key", new Uint8Array([4]));
      expect(await store.get("key")).toEqual(new Uint8Array([4]));
      await store.delete("key");
      expect(await store.get("key")).toBeNull();
      expect(await filesUnder(join(opened.directory, "blobs"))).toHaveLength(0);
    });

    it("with a threshold of 0 every non-empty blob is a file", async () => {
      const store = new TieredBlobStore({
        small: new SqlBlobStore(opened.state),
        large: new FileBlobStore({ directory: join(opened.directory, "blobs") }),
        inlineMaxBytes: 0,
      });
      await store.putMany([{ key: "a", bytes: new Uint8Array([1]) }]);
      expect(await rowCount(opened.state)).toBe(0);
      expect(await store.get("a")).toEqual(new Uint8Array([1]));
    });
  });
}
