import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { connect, type Table } from "@lancedb/lancedb";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/ports/logger.js";
import { UpstreamUnavailableError } from "../../src/core/errors.js";
import { LanceDbVectorStore, type LanceDbVectorStoreOptions } from "../../src/adapters/vector-store/lancedb/lancedb-vector-store.js";
import type { ChunkPoint } from "../../src/ports/vector-store.js";
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

runVectorStoreContract({ name: "LanceDbVectorStore (memory mirror)", create: () => createSubject() });
runVectorStoreContract({ name: "LanceDbVectorStore (LanceDB only)", create: () => createSubject({ memoryMirrorMaxRows: 0 }) });

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

  /** Deterministic pseudo-random numbers in [0, 1) (so vectors and texts have no ties, and runs are repeatable). */
  function seededRandom(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
      return state / 2 ** 32;
    };
  }

  const WORDS = ["wombat", "quokka", "numbat", "bilby", "dingo", "echidna", "platypus", "possum", "kiwi", "emu", "galah", "kookaburra"];

  function randomPoints(count: number, seed: number, tenants = ["t", "u"]): ChunkPoint[] {
    const random = seededRandom(seed);
    return Array.from({ length: count }, (_, index) => {
      const text = Array.from({ length: 3 + Math.floor(random() * 6) }, () => WORDS[Math.floor(random() * WORDS.length)]).join(" ");
      return {
        ...point(index, text),
        id: `random-${index}`,
        tenant: tenants[index % tenants.length]!,
        vector: contractVector(...Array.from({ length: 8 }, () => random() - 0.5)),
        metadata: {
          ...point(index, text).metadata,
          documentId: `doc-${index % 17}`,
          chunkIndex: index,
          source: `source-${index % 3}`,
          headingPath: [`h${index % 4}`],
        },
      };
    });
  }

  function capturingLogger() {
    const messages: Array<{ message: string; details: Record<string, unknown> }> = [];
    const record = (details: Record<string, unknown>, message: string) => messages.push({ message, details });
    return { logger: { ...silentLogger, info: record, warn: record }, messages };
  }

  /** Hybrid queries over randomPoints: several vectors and texts, with and without filters. */
  function comparisonQueries(points: ChunkPoint[]) {
    const random = seededRandom(99);
    // A query per tenant returning every row, so any row the mirror lacks or keeps in excess shows.
    const everything = ["t", "u"].map((tenant) => ({ tenant, dense: points[0]!.vector, text: WORDS[0], topK: 1_000, candidateK: 1_000, minScore: -1 }));
    return [
      ...everything,
      ...Array.from({ length: 12 }, (_, index) => ({
        tenant: index % 4 === 3 ? "u" : "t",
        dense: index % 3 === 0 ? points[index * 7]!.vector : contractVector(...Array.from({ length: 8 }, () => random() - 0.5)),
        text: index % 5 === 4 ? undefined : `${WORDS[index % WORDS.length]} ${WORDS[(index * 5) % WORDS.length]}`,
        topK: 8,
        candidateK: 20,
        minScore: index % 2 === 0 ? 0.2 : -1,
        filter: index % 6 === 1 ? { documentIds: ["doc-1", "doc-4", "doc-9"] } : index % 6 === 5 ? { sources: ["source-2"] } : undefined,
      })),
    ];
  }

  async function expectSameResults(mirrored: LanceDbVectorStore, engineOnly: LanceDbVectorStore, points: ChunkPoint[]) {
    for (const query of comparisonQueries(points)) {
      const [expected, actual] = await Promise.all([engineOnly.search(query), mirrored.search(query)]);
      expect(expected.hits.length + expected.cut.length).toBeGreaterThan(0);
      for (const list of ["hits", "cut"] as const) {
        expect(actual[list].map((hit) => hit.id)).toEqual(expected[list].map((hit) => hit.id));
        actual[list].forEach((hit, index) => {
          const reference = expected[list][index]!;
          expect(hit.scores.dense).toBeCloseTo(reference.scores.dense, 5);
          expect({ ...hit.scores, dense: 0 }).toEqual({ ...reference.scores, dense: 0 });
          expect({ text: hit.text, metadata: hit.metadata, tenant: hit.tenant }).toEqual({
            text: reference.text,
            metadata: reference.metadata,
            tenant: reference.tenant,
          });
        });
      }
    }
  }

  it("loads the memory mirror on reopen and returns the same hits as the LanceDB-only path", async () => {
    const { store, directory } = await openStore();
    const points = randomPoints(300, 7);
    await store.upsert(points);
    await store.deleteDocument("t", "doc-3");
    await store.deleteDocument("u", "doc-5", { fromChunkIndex: 100 });
    await store.optimize();
    await store.close();

    const { logger, messages } = capturingLogger();
    const mirrored = await LanceDbVectorStore.open({ directory, logger });
    const engineOnly = await LanceDbVectorStore.open({ directory, memoryMirrorMaxRows: 0 });
    try {
      await mirrored.ensureCollection({ dimension: 8, model: "m" });
      const remaining = (await mirrored.count("t")) + (await mirrored.count("u"));
      expect(messages.find((entry) => entry.message === "LanceDB memory mirror loaded")?.details.rows).toBe(remaining);
      await expectSameResults(mirrored, engineOnly, points);
    } finally {
      await Promise.all([mirrored.close(), engineOnly.close()]);
    }
  });

  it("with an ANN index, takes dense candidates from the index and still matches the LanceDB-only path", async () => {
    const { store, directory } = await openStore({ annIndexMinRows: 300 });
    const points = randomPoints(400, 17);
    await store.upsert(points);
    await store.optimize();
    expect((await inspectTable(directory, (table) => table.listIndices())).map((index) => index.columns[0])).toContain("vector");
    const engineOnly = await LanceDbVectorStore.open({ directory, memoryMirrorMaxRows: 0 });
    try {
      await expectSameResults(store, engineOnly, points);
    } finally {
      await engineOnly.close();
    }
  });

  it("bypasses the mirror once the table outgrows memoryMirrorMaxRows, and on reopen above it", async () => {
    const { logger, messages } = capturingLogger();
    const { store, directory } = await openStore({ memoryMirrorMaxRows: 250, logger });
    const points = randomPoints(300, 11);
    await store.upsert(points.slice(0, 200));
    expect(messages.some((entry) => entry.message.startsWith("LanceDB memory mirror dropped"))).toBe(false);
    await store.upsert(points.slice(200));
    expect(messages.find((entry) => entry.message.startsWith("LanceDB memory mirror dropped"))?.details).toMatchObject({ rows: 300, maxRows: 250 });
    // Writes after the drop reach search through LanceDB.
    await store.deleteDocument("t", "doc-2");
    await store.upsert([{ ...points[0]!, text: "a freshly written cassowary" }]);
    const fresh = await store.search({ tenant: "t", dense: points[0]!.vector, text: "cassowary", topK: 3, candidateK: 10, minScore: -1 });
    expect(fresh.hits[0]).toMatchObject({ id: points[0]!.id, text: "a freshly written cassowary", scores: { denseRank: 1, textRank: 1 } });
    await store.upsert([points[0]!]);
    await store.optimize();

    const reopened = capturingLogger();
    const bounded = await LanceDbVectorStore.open({ directory, memoryMirrorMaxRows: 250, logger: reopened.logger });
    const engineOnly = await LanceDbVectorStore.open({ directory, memoryMirrorMaxRows: 0 });
    try {
      await bounded.ensureCollection({ dimension: 8, model: "m" });
      expect(reopened.messages.map((entry) => entry.message)).toContain("LanceDB table exceeds the memory mirror bound; searching LanceDB");
      await expectSameResults(store, engineOnly, points);
      await expectSameResults(bounded, engineOnly, points);
    } finally {
      await Promise.all([bounded.close(), engineOnly.close()]);
    }
  });

  it("keeps the mirror equal to the table through replacements, moves between tenants and partial deletes", async () => {
    const { store, directory } = await openStore();
    const points = randomPoints(200, 23);
    await store.upsert(points);
    const random = seededRandom(5);
    for (let round = 0; round < 6; round++) {
      const replaced = points
        .filter((_, index) => index % 6 === round)
        .map((original) => ({
          ...original,
          tenant: round % 2 === 0 ? original.tenant : "u",
          text: `${original.text} ${WORDS[round]} round ${round}`,
          vector: contractVector(...Array.from({ length: 8 }, () => random() - 0.5)),
        }));
      await Promise.all([
        store.upsert(replaced.slice(0, 10)),
        store.upsert(replaced.slice(10)),
        store.deleteDocument("t", `doc-${round}`, { fromChunkIndex: 50 * round }),
      ]);
    }
    const engineOnly = await LanceDbVectorStore.open({ directory, memoryMirrorMaxRows: 0 });
    try {
      await expectSameResults(store, engineOnly, points);
    } finally {
      await engineOnly.close();
    }
  });

  it("reloads the mirror from the table after a write whose outcome is unknown", async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), "ragline-lancedb-"));
    const connection = await connect(directory);
    // Stand-in for a lost acknowledgement (cannot be provoked on a local disk): the merge commits, then fails.
    let loseNextAcknowledgement = false;
    const withLostAcknowledgements = (table: Table): Table =>
      new Proxy(table, {
        get(target, property) {
          if (property !== "mergeInsert") {
            const value: unknown = Reflect.get(target, property, target);
            return typeof value === "function" ? value.bind(target) : value;
          }
          return (on: string) => ({
            whenMatchedUpdateAll: () => ({
              whenNotMatchedInsertAll: () => ({
                execute: async (rows: Array<Record<string, unknown>>) => {
                  const result = await target.mergeInsert(on).whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows);
                  if (!loseNextAcknowledgement) return result;
                  loseNextAcknowledgement = false;
                  throw new Error("connection reset after commit");
                },
              }),
            }),
          });
        },
      });
    const flakyConnection = new Proxy(connection, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (property === "openTable" || property === "createEmptyTable") {
          return async (...args: unknown[]) => withLostAcknowledgements(await (value as (...args: unknown[]) => Promise<Table>).apply(target, args));
        }
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const { logger, messages } = capturingLogger();
    const store = new LanceDbVectorStore(flakyConnection, { logger });
    cleanups.push(async () => {
      await store.close();
      connection.close();
      await rm(directory, { recursive: true, force: true });
    });
    await store.ensureCollection({ dimension: 8, model: "m" });
    const points = randomPoints(20, 3);
    await store.upsert(points.slice(0, 19));
    loseNextAcknowledgement = true;
    await expect(store.upsert([{ ...points[19]!, text: "committed despite the error" }])).rejects.toBeInstanceOf(UpstreamUnavailableError);
    await store.optimize();
    const loads = messages.filter((entry) => entry.message === "LanceDB memory mirror loaded");
    expect(loads.map((entry) => entry.details.rows)).toEqual([0, 20]);
    const result = await store.search({
      tenant: points[19]!.tenant,
      dense: points[19]!.vector,
      text: "committed despite",
      topK: 1,
      candidateK: 5,
      minScore: -1,
    });
    expect(result.hits[0]).toMatchObject({ id: points[19]!.id, text: "committed despite the error", scores: { denseRank: 1, textRank: 1 } });
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
