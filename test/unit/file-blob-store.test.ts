import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileBlobStore } from "../../src/adapters/blob-store/file/file-blob-store.js";

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "ragline-blobs-"));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe("FileBlobStore", () => {
  it("stores, replaces and returns bytes for keys with any characters", async () => {
    const store = new FileBlobStore({ directory });
    const key = "tenant:acme/documents/../report 2024?.pdf";
    await store.put(key, new Uint8Array([1, 2, 3]));
    expect(await store.get(key)).toEqual(new Uint8Array([1, 2, 3]));
    await store.put(key, new TextEncoder().encode("replaced"));
    expect(new TextDecoder().decode((await store.get(key))!)).toBe("replaced");
    expect(await new FileBlobStore({ directory }).get(key)).toBeInstanceOf(Uint8Array);
  });

  it("round-trips small (blocking read) and large (asynchronous read) blobs byte for byte, also replacing one size by the other", async () => {
    const store = new FileBlobStore({ directory });
    const small = new Uint8Array(64 * 1024).map((_, index) => index % 251);
    const large = new Uint8Array(64 * 1024 + 1).map((_, index) => (index * 7) % 253);
    await store.put("small", small);
    await store.put("large", large);
    expect(await store.get("small")).toEqual(small);
    expect(await store.get("large")).toEqual(large);
    await store.put("small", large);
    await store.put("large", new Uint8Array(0));
    expect(await store.get("small")).toEqual(large);
    expect(await store.get("large")).toEqual(new Uint8Array(0));
  });

  it("keeps keys apart, including ones that differ only by case", async () => {
    const store = new FileBlobStore({ directory });
    await store.put("Key", new Uint8Array([1]));
    await store.put("key", new Uint8Array([2]));
    expect(await store.get("Key")).toEqual(new Uint8Array([1]));
    expect(await store.get("key")).toEqual(new Uint8Array([2]));
  });

  it("returns null for a missing key and deletes idempotently", async () => {
    const store = new FileBlobStore({ directory });
    expect(await store.get("missing")).toBeNull();
    await store.put("a/b", new Uint8Array(0));
    expect(await store.get("a/b")).toEqual(new Uint8Array(0));
    await store.delete("a/b");
    await store.delete("a/b");
    await store.delete("never-existed");
    expect(await store.get("a/b")).toBeNull();
  });

  it("leaves no temp files behind after concurrent writes to one key", async () => {
    const store = new FileBlobStore({ directory });
    const payloads = Array.from({ length: 20 }, (_, index) => new Uint8Array(1_000).fill(index));
    await Promise.all(payloads.map((bytes) => store.put("same", bytes)));
    const stored = (await store.get("same"))!;
    expect(payloads.some((bytes) => Buffer.compare(bytes, stored) === 0)).toBe(true);
    const [shard] = await readdir(directory);
    expect(await readdir(join(directory, shard!))).toHaveLength(1);
  });

  it("durable writes (file and directory synced) store the same bytes and leave no temp files", async () => {
    const store = new FileBlobStore({ directory, durable: true });
    const payloads = Array.from({ length: 5 }, (_, index) => new Uint8Array(2_000).fill(index + 1));
    await Promise.all(payloads.map((bytes, index) => store.put(`durable-${index % 2}`, bytes)));
    for (const key of ["durable-0", "durable-1"]) {
      const stored = (await store.get(key))!;
      expect(payloads.some((bytes) => Buffer.compare(bytes, stored) === 0)).toBe(true);
    }
    const files = (await Promise.all((await readdir(directory)).map((shard) => readdir(join(directory, shard))))).flat();
    expect(files.every((name) => name.endsWith(".bin"))).toBe(true);
    expect(files).toHaveLength(2);
  });
});
