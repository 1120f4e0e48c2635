import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { withCachedStatements } from "../../src/adapters/sql/cached-statements.js";

describe("withCachedStatements", () => {
  it("prepares each SQL text once and answers later calls with the same statement", () => {
    const sqlite = new BetterSqlite3(":memory:");
    let prepared = 0;
    const prepare = sqlite.prepare.bind(sqlite);
    sqlite.prepare = ((source: string) => {
      prepared += 1;
      return prepare(source);
    }) as typeof sqlite.prepare;
    const database = withCachedStatements(sqlite);
    const first = database.prepare("select 1 as one");
    expect(database.prepare("select 1 as one")).toBe(first);
    expect(database.prepare("select 2 as two")).not.toBe(first);
    expect(prepared).toBe(2);
    database.close();
    expect(sqlite.open).toBe(false);
  });

  it("drops the least recently used statement beyond its bound", () => {
    const sqlite = new BetterSqlite3(":memory:");
    const database = withCachedStatements(sqlite, 2);
    const a = database.prepare("select 'a'");
    const b = database.prepare("select 'b'");
    expect(database.prepare("select 'a'")).toBe(a);
    database.prepare("select 'c'");
    expect(database.prepare("select 'a'")).toBe(a);
    expect(database.prepare("select 'b'")).not.toBe(b);
    database.close();
  });

  it("gives Kysely correct results when the same statements run again with other parameters, in and out of transactions", async () => {
    const db = new Kysely<{ items: { id: number; name: string } }>({
      dialect: new SqliteDialect({ database: withCachedStatements(new BetterSqlite3(":memory:")) }),
    });
    await sql`create table items (id integer primary key, name text not null)`.execute(db);
    for (const [id, name] of [
      [1, "one"],
      [2, "two"],
    ] as const) {
      await db.transaction().execute((trx) => trx.insertInto("items").values({ id, name }).execute());
    }
    await expect(db.transaction().execute((trx) => trx.insertInto("items").values({ id: 1, name: "again" }).execute())).rejects.toThrow(/UNIQUE/);
    const byId = (id: number) => db.selectFrom("items").select("name").where("id", "=", id).executeTakeFirst();
    expect(await byId(1)).toEqual({ name: "one" });
    expect(await byId(2)).toEqual({ name: "two" });
    expect(await byId(3)).toBeUndefined();
    const updated = await db.updateTable("items").set({ name: "uno" }).where("id", "=", 1).executeTakeFirst();
    expect(Number(updated.numUpdatedRows)).toBe(1);
    expect(await byId(1)).toEqual({ name: "uno" });
    await db.destroy();
  });
});
