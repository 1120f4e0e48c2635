import { afterEach, describe, expect } from "vitest";
import type { KeyValue } from "../../src/ports/key-value.js";
import { contractCases, type ContractOptions } from "../helpers/contract-suite.js";

/** A fresh, empty key-value store, and how to delete it. */
export interface KeyValueFixture {
  keyValue: KeyValue;
  cleanup(): Promise<void>;
}

export const keyValueContractTests = [
  "mget returns values in key order, null for a miss",
  "mset replaces existing values",
  "keeps unicode, JSON and large values intact",
  "mset with a TTL expires its entries; without one they stay",
] as const;

export type KeyValueContractTest = (typeof keyValueContractTests)[number];

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** The `KeyValue` port's contract (see src/ports/key-value.ts), run once per adapter. */
export function runKeyValueContract(options: ContractOptions<KeyValueFixture, KeyValueContractTest>): void {
  describe(`KeyValue contract: ${options.name}`, () => {
    const test = contractCases(keyValueContractTests, options.skip);
    let fixture: KeyValueFixture | undefined;

    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    async function create(): Promise<KeyValue> {
      fixture = await options.create();
      return fixture.keyValue;
    }

    test("mget returns values in key order, null for a miss", async () => {
      const keyValue = await create();
      expect(await keyValue.mget([])).toEqual([]);
      await keyValue.mset([]);
      await keyValue.mset([
        ["a", "1"],
        ["b", "two"],
        ["c", ""],
      ]);
      expect(await keyValue.mget(["b", "missing", "a", "c", "b"])).toEqual(["two", null, "1", "", "two"]);
      expect(await keyValue.mget(["nothing"])).toEqual([null]);
    });

    test("mset replaces existing values", async () => {
      const keyValue = await create();
      await keyValue.mset([
        ["k", "old"],
        ["other", "kept"],
      ]);
      await keyValue.mset([["k", "new"]]);
      expect(await keyValue.mget(["k", "other"])).toEqual(["new", "kept"]);
    });

    test("keeps unicode, JSON and large values intact", async () => {
      const keyValue = await create();
      const large = JSON.stringify(Array.from({ length: 1_536 }, (_, index) => Math.sin(index)));
      const entries: Array<[string, string]> = [
        ["emb:model:8:ä/ö", "Grüße, 世界 🌍"],
        ["json", JSON.stringify({ nested: { list: [1, null, "x"] } })],
        ["large", large],
        ["key with spaces:and*glob?chars", "\n\t\u0000"],
      ];
      await keyValue.mset(entries);
      expect(await keyValue.mget(entries.map(([key]) => key))).toEqual(entries.map(([, value]) => value));
    });

    test("mset with a TTL expires its entries; without one they stay", async () => {
      const keyValue = await create();
      await keyValue.mset(
        [
          ["short-1", "1"],
          ["short-2", "2"],
        ],
        { ttlSeconds: 1 },
      );
      await keyValue.mset([["lasting", "3"]]);
      await keyValue.mset([["long", "4"]], { ttlSeconds: 120 });
      expect(await keyValue.mget(["short-1", "short-2"])).toEqual(["1", "2"]);
      await delay(1_200);
      expect(await keyValue.mget(["short-1", "short-2", "lasting", "long"])).toEqual([null, null, "3", "4"]);
    });

    test.assertAllDeclared();
  });
}
