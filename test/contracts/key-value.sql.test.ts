import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe } from "vitest";
import { createSqlKeyValue } from "../../src/adapters/key-value/sql/sql-key-value.js";
import { openPostgresDatabase, openSqliteDatabase } from "../../src/adapters/sql/open-database.js";
import { createTestPostgresDatabase, postgresForTests } from "../helpers/test-database.js";
import { runKeyValueContract } from "./key-value.contract.js";

runKeyValueContract({
  name: "SQL on SQLite",
  create: async () => {
    const directory = await mkdtemp(join(tmpdir(), "ragline-kv-sqlite-"));
    const state = await openSqliteDatabase({ path: join(directory, "ragline.sqlite") });
    const keyValue = createSqlKeyValue({ db: state.db, maxEntries: 1_000 });
    return {
      keyValue,
      cleanup: async () => {
        await keyValue.close();
        await state.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  },
});

const postgres = await postgresForTests("the SQL KeyValue contract on PostgreSQL");

describe.skipIf(!postgres)("on PostgreSQL", () => {
  runKeyValueContract({
    name: "SQL on PostgreSQL",
    create: async () => {
      const database = await createTestPostgresDatabase();
      const state = await openPostgresDatabase({ url: database.url, maxConnections: 2 });
      const keyValue = createSqlKeyValue({ db: state.db, maxEntries: 1_000 });
      return {
        keyValue,
        cleanup: async () => {
          await keyValue.close();
          await state.close();
          await database.drop();
        },
      };
    },
  });
});
