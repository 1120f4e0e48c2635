import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { migrateToLatest } from "../../src/adapters/sql/migrate.js";
import { DatabaseInUseError, openPostgresDatabase, openSqliteDatabase, type SqlState } from "../../src/adapters/sql/open-database.js";
import { createTestPostgresDatabase, postgresForTests } from "../helpers/test-database.js";

const TABLES = [
  "answer_examples",
  "answers",
  "api_keys",
  "blobs",
  "documents",
  "embedding_cache",
  "eval_runs",
  "feedback",
  "jobs",
  "reviews",
  "upload_batch_items",
  "upload_batches",
  "usage",
];

async function tableNames(state: SqlState): Promise<string[]> {
  const tables = await state.db.introspection.getTables();
  return tables.map((table) => table.name).filter((name) => !name.startsWith("kysely_"));
}

describe("embedded SQLite state", () => {
  const directories: string[] = [];
  afterAll(async () => {
    await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
  });
  const databasePath = async () => {
    const directory = await mkdtemp(join(tmpdir(), "ragline-sqlite-"));
    directories.push(directory);
    return join(directory, "nested", "ragline.sqlite");
  };

  it("creates every table in WAL mode, and a reopen migrates nothing again", async () => {
    const path = await databasePath();
    const first = await openSqliteDatabase({ path });
    expect((await tableNames(first)).sort()).toEqual(TABLES);
    const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(first.db);
    expect(journal.rows[0]?.journal_mode).toBe("wal");
    await first.close();
    const second = await openSqliteDatabase({ path });
    expect(await migrateToLatest(second.db)).toEqual([]);
    await second.close();
  });

  it("refuses a second opener of the same file while the first holds it, and lets it in once closed", async () => {
    const path = await databasePath();
    const holder = await openSqliteDatabase({ path });
    await expect(openSqliteDatabase({ path })).rejects.toBeInstanceOf(DatabaseInUseError);
    await expect(openSqliteDatabase({ path })).rejects.toThrow(/in use by another Ragline process/);
    await holder.close();
    const next = await openSqliteDatabase({ path });
    await next.close();
  });
});

const postgres = await postgresForTests("the PostgreSQL state tests");

describe.skipIf(!postgres)("PostgreSQL state", () => {
  it("migrates a fresh database once even when two processes' openers race", async () => {
    const database = await createTestPostgresDatabase();
    try {
      const [left, right] = await Promise.all([openPostgresDatabase({ url: database.url }), openPostgresDatabase({ url: database.url })]);
      expect((await tableNames(left)).sort()).toEqual(TABLES);
      const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(left.db);
      expect(applied.rows.map((row) => row.name)).toEqual([
        "0001-initial",
        "0002-embedding-cache-expiry",
        "0003-upload-batches",
        "0004-keys-and-usage",
        "0005-blobs",
        "0006-answers-and-reviews",
      ]);
      expect(await migrateToLatest(right.db)).toEqual([]);
      await Promise.all([left.close(), right.close()]);
    } finally {
      await database.drop();
    }
  });
});
