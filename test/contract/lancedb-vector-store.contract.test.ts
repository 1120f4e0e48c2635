import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { connect, type Table } from "@lancedb/lancedb";
import { afterEach, describe, expect, it } from "vitest";
import { UpstreamUnavailableError } from "../../src/errors.js";
import { LanceDbVectorStore, type LanceDbVectorStoreOptions } from "../../src/stores/lancedb-vector-store.js";
import type { ChunkPoint } from "../../src/stores/vector-store.js";
import { contractVector, runVectorStoreContract } from "./vector-store.contract.js";

async function createSubject(settings: Omit<LanceDbVectorStoreOptions, "directory"> = {}) {
  const directory = await mkdtemp(path.join(os.tmpdir(), "ragline-lancedb-"));
  const stores: LanceDbVectorStore[] = [];
  const open = async () => {
    const store = await LanceDbVectorStore.open({ directory, ...settings });
    stores.push(store);
    return store;
  };
  const store = await open();
  return {
    directory,
    store,
    reopen: open,
    cleanup: async () => {
      await Promise.all(stores.map((opened) => opened.close()));
      await rm(directory, { recursive: true, force: true });
    },
  };
}

runVectorStoreContract({ name: "LanceDbVectorStore", create: () => createSubject() });

describe("LanceDbVectorStore specifics", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  async function openStore(settings: Omit<LanceDbVectorStoreOptions, "directory"> = {}) {
    const subject = await createSubject(settings);
    cleanups.push(subject.cleanup);
    await subject.store.ensureCollection({ dimension: 8, model: "m" });
    return subject;
  }

  /** Reads the chunks table through a separate connection, as an operator would. */
  async function inspectTable<T>(directory: string, read: (table: Table) => Promise<T>): Promise<T> {
    const connection = await connect(directory);
    try {
      const table = await connection.openTable("chunks");
      return await read(table);
    } finally {
      connection.close();
    }
  }

  function point(index: number, text = `note ${index}`): ChunkPoint {
    const angle = (index % 360) * (Math.PI / 180);
    return {
      id: `point-${index}`,
      tenant: "t",
      text,
      vector: contractVector(Math.cos(angle), Math.sin(angle), (index % 7) / 10),
      metadata: {
        documentId: `doc-${index}`,
        title: "",
        source: "s",
        chunkIndex: 0,
        start: 0,
        end: text.length,
        headingPath: [],
        page: null,
        contentHash: "h",
        embeddingModel: "m",
      },
    };
  }

  it("coalesces concurrent upserts into far fewer commits than callers", async () => {
    const { store, directory } = await openStore();
    const versionBefore = await inspectTable(directory, (table) => table.version());
    await Promise.all(Array.from({ length: 64 }, (_, index) => store.upsert([point(index)])));
    const versionAfter = await inspectTable(directory, (table) => table.version());
    expect(await store.count("t")).toBe(64);
    expect(versionAfter - versionBefore).toBeLessThan(8);
  });

  it("keeps rows searchable through optimize and an ANN index build", async () => {
    const { store, directory } = await openStore({ annIndexMinRows: 300 });
    await store.upsert(Array.from({ length: 400 }, (_, index) => point(index, index === 123 ? "the rare word quokka" : `note ${index}`)));
    await store.optimize();
    const indices = await inspectTable(directory, (table) => table.listIndices());
    expect(indices.map((index) => index.columns[0])).toEqual(expect.arrayContaining(["vector", "text", "tenant", "id", "document_id"]));
    await store.upsert([point(1000, "freshly added quokka")]);
    const result = await store.search({ tenant: "t", dense: point(123).vector, text: "quokka", topK: 5, candidateK: 20, minScore: -1 });
    expect(result.hits[0]!.id).toBe("point-123");
    expect(result.hits[0]!.scores.dense).toBeCloseTo(1, 5);
    const fresh = result.hits.find((hit) => hit.id === "point-1000");
    expect(fresh?.scores.textRank).not.toBeNull();
  });

  it("keeps the lexical side exact for rows updated or deleted after they were indexed", async () => {
    const { store } = await openStore();
    await store.upsert([point(1, "the wombat sleeps"), point(2, "the wombat digs")]);
    await store.optimize();
    await store.upsert([point(1, "the numbat sleeps")]);
    await store.deleteDocument("t", "doc-2");
    const search = (text: string) => store.search({ tenant: "t", dense: point(1).vector, text, topK: 5, candidateK: 5, minScore: -1 });
    expect((await search("wombat")).hits.filter((hit) => hit.scores.textRank !== null)).toEqual([]);
    expect((await search("numbat")).hits.map((hit) => [hit.id, hit.scores.textRank])).toEqual([["point-1", 1]]);
  });

  it("returns each hit's current text while rows are rewritten and compacted under the search", async () => {
    const { store } = await openStore({ optimizeEveryWrites: 3 });
    const ids = Array.from({ length: 30 }, (_, index) => index);
    await store.upsert(ids.map((index) => point(index, `version 0 of note ${index} wombat`)));
    let writing = true;
    const writes = (async () => {
      for (let version = 1; writing && version < 40; version++) {
        await store.upsert(ids.filter((index) => index % 3 === version % 3).map((index) => point(index, `version ${version} of note ${index} wombat`)));
      }
    })();
    try {
      for (let round = 0; round < 25; round++) {
        const result = await store.search({ tenant: "t", dense: point(round).vector, text: "wombat", topK: 30, candidateK: 30, minScore: 0.95 });
        const returned = [...result.hits, ...result.cut];
        expect(returned).toHaveLength(ids.length);
        expect(new Set(returned.map((hit) => hit.id)).size).toBe(returned.length);
        for (const hit of returned) expect(hit.text).toMatch(new RegExp(`^version \\d+ of note ${hit.id.slice("point-".length)} wombat$`));
      }
    } finally {
      writing = false;
      await writes;
    }
  });

  it("maps engine I/O failures to UpstreamUnavailableError without engine detail in the message", async () => {
    const { store, directory } = await openStore();
    await store.upsert([point(1)]);
    await rm(directory, { recursive: true, force: true });
    const error = await store.upsert([point(2)]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect((error as Error).message).toBe("LanceDB upsert failed");
    expect((error as Error).cause).toBeDefined();
  });

  it("maps use after close to UpstreamUnavailableError and reports health down", async () => {
    const { store } = await openStore();
    await store.close();
    await expect(store.count("t")).rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect((await store.health()).status).toBe("down");
  });

  it("flushes queued writes on close", async () => {
    const { store, reopen } = await openStore();
    const pending = Promise.all(Array.from({ length: 20 }, (_, index) => store.upsert([point(index)])));
    await store.close();
    await pending;
    const reopened = await reopen();
    expect(await reopened.count("t")).toBe(20);
  });
});
