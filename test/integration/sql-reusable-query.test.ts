import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql, type KyselyPlugin } from "kysely";
import { describe, expect, it } from "vitest";
import { reusableQuery } from "../../src/adapters/sql/reusable-query.js";
import type { SqlDatabase } from "../../src/adapters/sql/sql-schema.js";

function openWithCompileCounter() {
  const compiled: string[] = [];
  const counter: KyselyPlugin = {
    transformQuery: (args) => {
      compiled.push(args.node.kind);
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  const db = new Kysely<SqlDatabase>({ dialect: new SqliteDialect({ database: new BetterSqlite3(":memory:") }), plugins: [counter] });
  return { db, compiled };
}

describe("reusableQuery", () => {
  it("compiles once and runs with each call's parameters, constants kept, in and out of transactions", async () => {
    const { db, compiled } = openWithCompileCounter();
    await sql`create table embedding_cache (key text primary key, value text not null, expires_at text, used_at text not null)`.execute(db);
    const insert = reusableQuery<{ key: string; value: string }, unknown>((base, param) =>
      base.insertInto("embedding_cache").values({ key: param("key"), value: param("value"), expires_at: null, used_at: "fixed" }),
    );
    const select = reusableQuery<{ key: string }, { value: string; used_at: string; expires_at: string | null }>((base, param) =>
      base.selectFrom("embedding_cache").select(["value", "used_at", "expires_at"]).where("key", "=", param("key")),
    );
    await insert(db, { key: "a", value: "1" });
    await db.transaction().execute((trx) => insert(trx, { key: "b", value: "2" }));
    const before = compiled.length;
    expect((await select(db, { key: "a" })).rows).toEqual([{ value: "1", used_at: "fixed", expires_at: null }]);
    expect((await select(db, { key: "b" })).rows).toEqual([{ value: "2", used_at: "fixed", expires_at: null }]);
    expect((await select(db, { key: "missing" })).rows).toEqual([]);
    expect(compiled.length - before).toBe(1);
    expect(compiled.filter((kind) => kind === "InsertQueryNode")).toHaveLength(1);
    await db.destroy();
  });
});
