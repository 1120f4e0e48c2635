import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KyselyPlugin, RootOperationNode } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createSqlKeyValue, type SqlKeyValueOptions } from "../../src/adapters/key-value/sql/sql-key-value.js";
import { openPostgresDatabase, openSqliteDatabase, type SqlState } from "../../src/adapters/sql/open-database.js";
import { createTestPostgresDatabase, postgresForTests } from "../helpers/test-database.js";
import { recordingLogger } from "../helpers/recording-logger.js";
import { waitFor } from "../helpers/wait-for.js";

/** Counts the statements the adapter sends, by kind, and can make one kind fail. */
function statementPlugin(failing?: RootOperationNode["kind"]) {
  const counts = new Map<string, number>();
  const plugin: KyselyPlugin = {
    transformQuery: ({ node }) => {
      counts.set(node.kind, (counts.get(node.kind) ?? 0) + 1);
      if (node.kind === failing) throw new Error(`${node.kind} refused by the test`);
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  return { plugin, count: (kind: RootOperationNode["kind"]) => counts.get(kind) ?? 0 };
}

/** A clock the test moves by hand. */
function manualClock(start = Date.parse("2026-01-01T00:00:00.000Z")) {
  let current = start;
  return { now: () => new Date(current), advance: (milliseconds: number) => void (current += milliseconds) };
}

interface Dialect {
  name: string;
  open(): Promise<SqlState & { dispose(): Promise<void> }>;
}

const sqlite: Dialect = {
  name: "SQLite",
  open: async () => {
    const directory = await mkdtemp(join(tmpdir(), "ragline-sql-kv-"));
    const state = await openSqliteDatabase({ path: join(directory, "ragline.sqlite") });
    return { ...state, dispose: async () => void (await state.close(), await rm(directory, { recursive: true, force: true })) };
  },
};

const postgresUp = await postgresForTests("the SQL KeyValue upkeep tests on PostgreSQL");
const postgres: Dialect = {
  name: "PostgreSQL",
  open: async () => {
    const database = await createTestPostgresDatabase();
    const state = await openPostgresDatabase({ url: database.url, maxConnections: 2 });
    return { ...state, dispose: async () => void (await state.close(), await database.drop()) };
  },
};

describe.each(postgresUp ? [sqlite, postgres] : [sqlite])("SQL KeyValue upkeep on $name", (dialect) => {
  let state: (SqlState & { dispose(): Promise<void> }) | undefined;
  afterEach(async () => {
    await state?.dispose();
    state = undefined;
  });

  async function setUp(options: Omit<SqlKeyValueOptions, "db">, failing?: RootOperationNode["kind"]) {
    state = await dialect.open();
    const statements = statementPlugin(failing);
    const keyValue = createSqlKeyValue({ db: state.db.withPlugin(statements.plugin), ...options });
    const db = state.db;
    const rows = async () => (await db.selectFrom("embedding_cache").select(["key", "used_at"]).orderBy("key").execute()).map((row) => row.key);
    const usedAt = async (key: string) => (await db.selectFrom("embedding_cache").select("used_at").where("key", "=", key).executeTakeFirstOrThrow()).used_at;
    return { keyValue, statements, rows, usedAt };
  }

  it("trims to maxEntries at a sweep, least recently used first, a hit counting as a use", async () => {
    const clock = manualClock();
    const { keyValue, rows } = await setUp({ maxEntries: 3, sweepEveryWrites: 1_000, touchAfterMs: 0, now: clock.now });
    for (const key of ["a", "b", "c"]) {
      await keyValue.mset([[key, key.toUpperCase()]]);
      clock.advance(1_000);
    }
    expect(await keyValue.mget(["a"])).toEqual(["A"]);
    clock.advance(1_000);
    await keyValue.sweep();
    await keyValue.mset([["d", "D"]]);
    await keyValue.sweep();
    expect(await rows()).toEqual(["a", "c", "d"]);
    expect(await keyValue.mget(["a", "b", "c", "d"])).toEqual(["A", null, "C", "D"]);
  });

  it("sweeps in the background every sweepEveryWrites written entries, off the caller's path", async () => {
    const clock = manualClock();
    const { keyValue, rows, statements } = await setUp({ maxEntries: 2, sweepEveryWrites: 3, now: clock.now });
    await keyValue.mset([
      ["a", "1"],
      ["b", "2"],
    ]);
    clock.advance(1_000);
    expect(statements.count("DeleteQueryNode")).toBe(0);
    await keyValue.mset([
      ["c", "3"],
      ["d", "4"],
    ]);
    await waitFor(async () => (await rows()).length === 2, "the background sweep to trim the table");
    expect(await rows()).toEqual(["c", "d"]);
    await keyValue.close();
  });

  it("answers null for an expired row at once and deletes it at the next sweep", async () => {
    const clock = manualClock();
    const { keyValue, rows } = await setUp({ maxEntries: 100, sweepEveryWrites: 1_000, now: clock.now });
    await keyValue.mset([["short", "1"]], { ttlSeconds: 10 });
    await keyValue.mset([["lasting", "2"]]);
    await keyValue.mset([["long", "3"]], { ttlSeconds: 3_600 });
    clock.advance(9_999);
    expect(await keyValue.mget(["short", "lasting", "long"])).toEqual(["1", "2", "3"]);
    clock.advance(1);
    expect(await keyValue.mget(["short", "lasting", "long"])).toEqual([null, "2", "3"]);
    expect(await rows()).toEqual(["lasting", "long", "short"]);
    await keyValue.sweep();
    expect(await rows()).toEqual(["lasting", "long"]);
    const again = await keyValue.mgetWithExpiry(["long", "lasting"]);
    expect(again).toEqual([
      { value: "3", expiresAt: new Date(Date.parse("2026-01-01T01:00:00.000Z")) },
      { value: "2", expiresAt: null },
    ]);
  });

  it("refreshes used_at in batches of touchBatchSize hits, one UPDATE per batch, not one write per hit", async () => {
    const clock = manualClock();
    const { keyValue, statements, usedAt } = await setUp({ maxEntries: 100, sweepEveryWrites: 1_000, touchBatchSize: 3, now: clock.now });
    await keyValue.mset(["a", "b", "c", "d"].map((key) => [key, key]));
    const written = await usedAt("a");
    clock.advance(60_000);
    await keyValue.mget(["a", "missing"]);
    await keyValue.mget(["b", "a"]);
    expect(statements.count("UpdateQueryNode")).toBe(0);
    expect(await usedAt("a")).toBe(written);
    await keyValue.mget(["c"]);
    await waitFor(async () => statements.count("UpdateQueryNode") === 1, "one batched used_at update");
    const refreshed = clock.now().toISOString();
    expect([await usedAt("a"), await usedAt("b"), await usedAt("c"), await usedAt("d")]).toEqual([refreshed, refreshed, refreshed, written]);
    await keyValue.mget(["d"]);
    await keyValue.close();
    expect(statements.count("UpdateQueryNode")).toBe(2);
    expect(await usedAt("d")).toBe(refreshed);
  });

  it("a hit on a row used within touchAfterMs writes nothing; once it is older, the hit refreshes used_at", async () => {
    const clock = manualClock();
    const { keyValue, statements, usedAt } = await setUp({ maxEntries: 100, sweepEveryWrites: 1_000, touchBatchSize: 1, touchAfterMs: 60_000, now: clock.now });
    await keyValue.mset([["a", "A"]]);
    const written = await usedAt("a");
    clock.advance(59_999);
    expect(await keyValue.mget(["a"])).toEqual(["A"]);
    await keyValue.close();
    expect(statements.count("UpdateQueryNode")).toBe(0);
    expect(await usedAt("a")).toBe(written);
    clock.advance(2);
    expect(await keyValue.mget(["a"])).toEqual(["A"]);
    await waitFor(async () => statements.count("UpdateQueryNode") === 1, "the used_at refresh");
    expect(await usedAt("a")).toBe(clock.now().toISOString());
  });

  it("keeps the last value of a key repeated in one mset, and ignores empty calls", async () => {
    const { keyValue, statements } = await setUp({ maxEntries: 100 });
    await keyValue.mset([]);
    expect(await keyValue.mget([])).toEqual([]);
    expect(statements.count("InsertQueryNode") + statements.count("SelectQueryNode")).toBe(0);
    await keyValue.mset([
      ["k", "first"],
      ["k", "second"],
    ]);
    expect(await keyValue.mget(["k"])).toEqual(["second"]);
  });

  it("writes and reads more keys than one statement takes", async () => {
    const { keyValue, statements } = await setUp({ maxEntries: 10_000, sweepEveryWrites: 10_000 });
    const entries = Array.from({ length: 2_500 }, (_, index): [string, string] => [`key-${index}`, `value-${index}`]);
    await keyValue.mset(entries);
    expect(await keyValue.mget(entries.map(([key]) => key))).toEqual(entries.map(([, value]) => value));
    expect(statements.count("InsertQueryNode")).toBe(3);
    expect(statements.count("SelectQueryNode")).toBe(2);
  });

  it("logs a failing background sweep instead of failing the write that started it", async () => {
    const logger = recordingLogger();
    const { keyValue } = await setUp({ maxEntries: 1, sweepEveryWrites: 1, logger }, "DeleteQueryNode");
    await keyValue.mset([["a", "1"]]);
    await keyValue.close();
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: "warn", message: "sql cache upkeep failed", fields: expect.objectContaining({ operation: "sweep" }) }),
    );
    await expect(keyValue.sweep()).rejects.toThrow(/refused by the test/);
  });
});
