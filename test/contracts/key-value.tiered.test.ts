import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryKeyValue } from "../../src/adapters/key-value/memory/memory-key-value.js";
import { createSqlKeyValue } from "../../src/adapters/key-value/sql/sql-key-value.js";
import { openSqliteDatabase } from "../../src/adapters/sql/open-database.js";
import { createTieredKeyValue } from "../../src/wrappers/tiered-key-value.js";
import { runKeyValueContract } from "./key-value.contract.js";

runKeyValueContract({
  name: "tiered: memory LRU in front of SQL on SQLite",
  create: async () => {
    const directory = await mkdtemp(join(tmpdir(), "ragline-kv-tiered-"));
    const state = await openSqliteDatabase({ path: join(directory, "ragline.sqlite") });
    const durable = createSqlKeyValue({ db: state.db, maxEntries: 1_000 });
    // A memory tier smaller than the test's key sets, so reads are served by both tiers.
    const keyValue = createTieredKeyValue({ memory: new MemoryKeyValue({ maxEntries: 2 }), durable });
    return {
      keyValue,
      cleanup: async () => {
        await durable.close();
        await state.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  },
});
