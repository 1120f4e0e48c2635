import { describe, expect, it } from "vitest";
import { MemoryKeyValue } from "../../src/adapters/key-value/memory/memory-key-value.js";
import { runKeyValueContract } from "./key-value.contract.js";

runKeyValueContract({
  name: "memory LRU",
  create: async () => ({ keyValue: new MemoryKeyValue({ maxEntries: 1_000 }), cleanup: async () => undefined }),
});

describe("MemoryKeyValue", () => {
  it("stays within maxEntries, evicting the least recently used entry first", async () => {
    const keyValue = new MemoryKeyValue({ maxEntries: 3 });
    await keyValue.mset([
      ["a", "1"],
      ["b", "2"],
      ["c", "3"],
    ]);
    expect(await keyValue.mget(["a"])).toEqual(["1"]);
    await keyValue.mset([["d", "4"]]);
    expect(keyValue.size).toBe(3);
    expect(await keyValue.mget(["a", "b", "c", "d"])).toEqual(["1", null, "3", "4"]);
  });
});
