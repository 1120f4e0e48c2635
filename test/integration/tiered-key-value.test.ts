import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KyselyPlugin } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryKeyValue } from "../../src/adapters/key-value/memory/memory-key-value.js";
import { createSqlKeyValue } from "../../src/adapters/key-value/sql/sql-key-value.js";
import { openSqliteDatabase, type SqlState } from "../../src/adapters/sql/open-database.js";
import { createTieredKeyValue } from "../../src/wrappers/tiered-key-value.js";
import { recordingLogger } from "../helpers/recording-logger.js";

describe("tiered KeyValue: memory LRU in front of SQL on SQLite", () => {
  let directory: string | undefined;
  let state: SqlState | undefined;
  afterEach(async () => {
    await state?.close().catch(() => undefined);
    if (directory) await rm(directory, { recursive: true, force: true });
    state = undefined;
    directory = undefined;
  });

  async function setUp(memoryEntries = 100) {
    directory = await mkdtemp(join(tmpdir(), "ragline-tiered-"));
    state = await openSqliteDatabase({ path: join(directory, "ragline.sqlite") });
    let selects = 0;
    const counting: KyselyPlugin = {
      transformQuery: ({ node }) => {
        if (node.kind === "SelectQueryNode") selects += 1;
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    const durable = createSqlKeyValue({ db: state.db.withPlugin(counting), maxEntries: 1_000 });
    const memory = new MemoryKeyValue({ maxEntries: memoryEntries });
    const logger = recordingLogger();
    const tiered = createTieredKeyValue({ memory, durable, logger });
    return { tiered, durable, memory, logger, selects: () => selects, state };
  }

  it("asks the durable tier once for the distinct keys memory missed, then serves them from memory", async () => {
    const { tiered, durable, memory, selects } = await setUp();
    await durable.mset([
      ["a", "1"],
      ["b", "2"],
    ]);
    await tiered.mset([["c", "3"]]);
    expect(await durable.mget(["c"])).toEqual(["3"]);
    const before = selects();
    expect(await tiered.mget(["a", "b", "missing", "a", "c"])).toEqual(["1", "2", null, "1", "3"]);
    expect(selects() - before).toBe(1);
    expect(await memory.mget(["a", "b"])).toEqual(["1", "2"]);
    expect(await tiered.mget(["a", "b", "c"])).toEqual(["1", "2", "3"]);
    expect(selects() - before).toBe(1);
  });

  it("keeps a copy in memory no longer than the durable entry lives", async () => {
    const { tiered, durable, memory } = await setUp();
    await durable.mset([["short", "1"]], { ttlSeconds: 1 });
    await durable.mset([["lasting", "2"]]);
    expect(await tiered.mget(["short", "lasting"])).toEqual(["1", "2"]);
    expect(await memory.mget(["short", "lasting"])).toEqual(["1", "2"]);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await memory.mget(["short", "lasting"])).toEqual([null, "2"]);
    expect(await tiered.mget(["short"])).toEqual([null]);
  });

  it("treats a failing durable tier as misses and dropped writes, with a warning, never an error", async () => {
    const { tiered, logger, state: opened } = await setUp();
    await opened.close();
    await tiered.mset([["kept", "in memory"]]);
    expect(await tiered.mget(["kept", "elsewhere"])).toEqual(["in memory", null]);
    expect(logger.lines.filter((line) => line.level === "warn").map((line) => line.message)).toEqual([
      "durable cache write failed; kept in memory only",
      "durable cache read failed; treated as misses",
    ]);
  });
});
