import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BlobStore } from "../../src/ports/document-repository.js";

export interface BlobStoreFixture {
  store: BlobStore;
  cleanup(): Promise<void>;
}

function bytesOf(length: number, seed: number): Uint8Array {
  return new Uint8Array(length).map((_, index) => (index * seed + seed) % 256);
}

/** What every `BlobStore` must do; `sizes` are the blob sizes to round-trip (a tiered store passes sizes on both sides of its threshold). */
export function runBlobStoreContract(options: { name: string; create: () => Promise<BlobStoreFixture>; sizes: number[] }): void {
  describe(`BlobStore contract: ${options.name}`, () => {
    let fixture: BlobStoreFixture;
    beforeEach(async () => {
      fixture = await options.create();
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it("round-trips bytes of every size byte for byte, keys with any characters, also replacing one size by another", async () => {
      const { store } = fixture;
      for (const [position, size] of options.sizes.entries()) {
        const key = `tenant:acme/documents/../report ${position}?.pdf`;
        const bytes = bytesOf(size, position + 3);
        await store.put(key, bytes);
        const stored = await store.get(key);
        expect(stored).toBeInstanceOf(Uint8Array);
        expect(stored).toEqual(bytes);
      }
      const sizes = [...options.sizes];
      for (const [from, to] of sizes.map((size, index) => [size, sizes[(index + 1) % sizes.length]!] as const)) {
        await store.put("replaced", bytesOf(from, 5));
        await store.put("replaced", bytesOf(to, 7));
        expect(await store.get("replaced")).toEqual(bytesOf(to, 7));
      }
    });

    it("keeps keys apart, including ones that differ only by case", async () => {
      const { store } = fixture;
      await store.put("Key", new Uint8Array([1]));
      await store.put("key", new Uint8Array([2]));
      expect(await store.get("Key")).toEqual(new Uint8Array([1]));
      expect(await store.get("key")).toEqual(new Uint8Array([2]));
    });

    it("returns null for a missing key and deletes idempotently, whatever the size", async () => {
      const { store } = fixture;
      expect(await store.get("missing")).toBeNull();
      for (const size of options.sizes) {
        await store.put("a/b", bytesOf(size, 1));
        await store.delete("a/b");
        await store.delete("a/b");
        expect(await store.get("a/b")).toBeNull();
      }
      await store.delete("never-existed");
    });

    it("answers many gets at once (more than one statement's worth), each with its own bytes, null for missing keys, also the same key twice", async () => {
      const { store } = fixture;
      const entries = Array.from({ length: 1_100 }, (_, index) => ({ key: `at-once-${index}`, bytes: bytesOf(1 + (index % 40), index + 1) }));
      await store.putMany!(entries);
      const keys = [...entries.map((entry) => entry.key), "at-once-missing", "at-once-3"];
      const results = await Promise.all(keys.map((key) => store.get(key)));
      entries.forEach((entry, index) => expect(results[index]).toEqual(entry.bytes));
      expect(results[entries.length]).toBeNull();
      expect(results[entries.length + 1]).toEqual(entries[3]!.bytes);
    });

    it("putMany stores every entry (more than one statement's worth), the last bytes of a repeated key, and the same as put", async () => {
      const { store } = fixture;
      expect(store.putMany).toBeTypeOf("function");
      const entries = Array.from({ length: 1_203 }, (_, index) => ({ key: `many-${index}`, bytes: bytesOf(10 + (index % 50), index + 1) }));
      const sized = options.sizes.map((size, index) => ({ key: `sized-${index}`, bytes: bytesOf(size, index + 2) }));
      await store.putMany!([...entries, ...sized, { key: "many-7", bytes: new Uint8Array([42]) }]);
      for (const entry of [...entries.filter((entry) => entry.key !== "many-7"), ...sized]) {
        expect(await store.get(entry.key)).toEqual(entry.bytes);
      }
      expect(await store.get("many-7")).toEqual(new Uint8Array([42]));
      await store.putMany!([]);
    });
  });
}
