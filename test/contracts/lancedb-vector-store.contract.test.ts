import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { connect, type Table } from "@lancedb/lancedb";
import { afterEach, describe, expect, it } from "vitest";
import { UpstreamUnavailableError } from "../../src/core/errors.js";
import { lexicalQueryTerms } from "../../src/core/ranking/lexical-query.js";
import { rankCandidates } from "../../src/core/ranking/rank-candidates.js";
import { chunkIndexTerms } from "../../src/adapters/vector-store/lexical-terms.js";
import { LanceDbVectorStore, type LanceDbVectorStoreOptions } from "../../src/adapters/vector-store/lancedb/lancedb-vector-store.js";
import type { CandidatesRequest, ChunkPoint, VectorStore } from "../../src/ports/vector-store.js";
import { createCandidatesConcurrencyLimit } from "../../src/wrappers/candidates-concurrency-limit.js";
import { createUpsertCoalescingStore } from "../../src/wrappers/upsert-coalescing-store.js";
import { contractVector, runVectorStoreContract } from "./vector-store.contract.js";

/** The LanceDB store wrapped as src/compose/create-vector-store.ts wraps it. */
function asComposed(store: VectorStore): VectorStore {
  return createCandidatesConcurrencyLimit(createUpsertCoalescingStore(store, { maxPointsPerCall: 5_000 }), { maxConcurrent: 4 });
}

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
runVectorStoreContract({
  name: "LanceDbVectorStore as composed (upsert coalescing, candidates concurrency limit)",
  create: async () => {
    const subject = await createSubject();
    return { ...subject, store: asComposed(subject.store), reopen: async () => asComposed(await subject.reopen()) };
  },
});

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

  /** Candidates of a query, ranked by the core as the retrieve use case ranks them. */
  async function search(store: VectorStore, query: CandidatesRequest & { topK: number; minScore: number }) {
    const ranked = rankCandidates(await store.candidates(query), { ...query, candidateK: query.limit });
    const toHit = ({ candidate, scores }: (typeof ranked.hits)[number]) => ({ ...candidate, scores });
    return { hits: ranked.hits.map(toHit), cut: ranked.cut.map(toHit) };
  }

  it("as composed, coalesces concurrent upserts into far fewer commits than callers", async () => {
    const { store: adapter, directory } = await openStore();
    const store = asComposed(adapter);
    const versionBefore = await inspectTable(directory, (table) => table.version());
    await Promise.all(Array.from({ length: 64 }, (_, index) => store.upsert([point(index)])));
    const versionAfter = await inspectTable(directory, (table) => table.version());
    expect(await store.count("t")).toBe(64);
    expect(versionAfter - versionBefore).toBeLessThan(8);
  });

  it("rebuilds the vector index whole once optimizes have split it into more than annMaxIndexParts parts", async () => {
    const partsAfterEachOptimize = async (annMaxIndexParts: number) => {
      const { store, directory } = await openStore({ annIndexMinRows: 300, annMaxIndexParts });
      await store.upsert(Array.from({ length: 400 }, (_, index) => point(index)));
      const parts: number[] = [];
      for (let burst = 0; burst < 4; burst++) {
        await store.optimize();
        parts.push(await inspectTable(directory, async (table) => (await table.indexStats("vector_idx"))?.numIndices ?? 0));
        await store.upsert(Array.from({ length: 40 }, (_, index) => point(1_000 + burst * 40 + index)));
      }
      const dense = (await store.candidates({ tenant: "t", dense: point(1_000).vector, lexicalTerms: [], limit: 5 })).dense;
      expect(dense.map((candidate) => candidate.id)).toContain("point-1000");
      return parts;
    };
    // Without the bound every optimize adds a part; with it the index never has more than two.
    expect(await partsAfterEachOptimize(1_000)).toEqual([1, 2, 3, 4]);
    const bounded = await partsAfterEachOptimize(2);
    expect(Math.max(...bounded)).toBeLessThanOrEqual(2);
    expect(bounded[0]).toBe(1);
  });

  it("keeps rows searchable through optimize and an ANN index build", async () => {
    const { store, directory } = await openStore({ annIndexMinRows: 300 });
    await store.upsert(Array.from({ length: 400 }, (_, index) => point(index, index === 123 ? "the rare word quokka" : `note ${index}`)));
    await store.optimize();
    const indices = await inspectTable(directory, (table) => table.listIndices());
    expect(indices.map((index) => index.columns[0])).toEqual(expect.arrayContaining(["vector", "terms", "tenant", "id", "document_id"]));
    await store.upsert([point(1000, "freshly added quokka")]);
    const result = await search(store, { tenant: "t", dense: point(123).vector, lexicalTerms: lexicalQueryTerms("quokka"), topK: 5, limit: 20, minScore: -1 });
    expect(result.hits[0]!.id).toBe("point-123");
    expect(result.hits[0]!.scores.dense).toBeCloseTo(1, 5);
    const fresh = result.hits.find((hit) => hit.id === "point-1000");
    expect(fresh?.scores.textRank).not.toBeNull();
  });

  it("finds the exact nearest neighbours through the ANN index (refined), and finds fewer without the refine factor", async () => {
    const dimension = 64;
    const random = seededRandom(7);
    // Clustered vectors, as embeddings are: 10 wide clusters, each row near one of them.
    const centres = Array.from({ length: 10 }, () => Array.from({ length: dimension }, () => random() - 0.5));
    const vectorNear = (centre: number[]) => centre.map((value) => value + (random() - 0.5) * 1.5);
    const points = Array.from({ length: 3_000 }, (_, index) => ({ ...point(index), vector: vectorNear(centres[index % centres.length]!) }));
    const queries = Array.from({ length: 40 }, (_, index) => vectorNear(centres[(index * 7) % centres.length]!));
    const exactTop = (query: number[], k: number) =>
      points
        .map((candidate) => ({ id: candidate.id, similarity: cosine(query, candidate.vector) }))
        .sort((left, right) => right.similarity - left.similarity)
        .slice(0, k)
        .map((entry) => entry.id);
    const recall = async (annRefineFactor: number | undefined) => {
      const subject = await createSubject({ annIndexMinRows: 1_000, ...(annRefineFactor ? { annRefineFactor } : {}) });
      cleanups.push(subject.cleanup);
      await subject.store.ensureCollection({ dimension, model: "m" });
      await subject.store.upsert(points);
      await subject.store.optimize();
      const indices = await inspectTable(subject.directory, (table) => table.listIndices());
      expect(indices.map((index) => index.columns[0])).toContain("vector");
      let found = 0;
      for (const query of queries) {
        const { dense } = await subject.store.candidates({ tenant: "t", dense: query, lexicalTerms: [], limit: 20 });
        const exact = new Set(exactTop(query, 20));
        found += dense.filter((candidate) => exact.has(candidate.id)).length;
        expect(dense[0]!.score).toBeCloseTo(cosine(query, points.find((candidate) => candidate.id === dense[0]!.id)!.vector), 5);
      }
      return found / (20 * queries.length);
    };
    const refined = await recall(undefined);
    const unrefined = await recall(1);
    expect(refined).toBeGreaterThanOrEqual(0.95);
    expect(unrefined).toBeLessThan(refined);
  });

  it("keeps the lexical side exact for rows updated or deleted after they were indexed", async () => {
    const { store } = await openStore();
    await store.upsert([point(1, "the wombat sleeps"), point(2, "the wombat digs")]);
    await store.optimize();
    await store.upsert([point(1, "the numbat sleeps")]);
    await store.deleteDocument("t", "doc-2");
    const lexical = async (text: string) =>
      (await store.candidates({ tenant: "t", dense: point(1).vector, lexicalTerms: lexicalQueryTerms(text), limit: 5 })).lexical;
    expect(await lexical("wombat")).toEqual([]);
    expect((await lexical("numbat")).map((candidate) => [candidate.id, candidate.text])).toEqual([["point-1", "the numbat sleeps"]]);
  });

  it("weighs terms the same on rows the full-text index holds and on rows it has not absorbed yet", async () => {
    const { store } = await openStore();
    const weighted = [
      { term: "wombat", weight: 1 },
      { term: "numbat", weight: 0.1 },
    ];
    const scores = async () => {
      const { lexical } = await store.candidates({ tenant: "t", dense: point(1).vector, lexicalTerms: weighted, limit: 10 });
      return new Map(lexical.map((candidate) => [candidate.id, candidate.score]));
    };
    await store.upsert([point(1, "wombat burrow evening"), point(2, "numbat burrow evening"), point(3, "filler text here")]);
    await store.optimize();
    const indexed = await scores();
    expect(indexed.get("point-1")! / indexed.get("point-2")!).toBeCloseTo(10, 3);
    // Written after the optimize: searched outside the index, where the engine ignores a MatchQuery's boost.
    await store.upsert([point(4, "wombat burrow evening"), point(5, "numbat burrow evening")]);
    const mixed = await scores();
    expect(mixed.get("point-4")! / mixed.get("point-5")!).toBeCloseTo(10, 3);
    expect(mixed.get("point-1")! / mixed.get("point-2")!).toBeCloseTo(10, 3);
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
        const result = await search(store, {
          tenant: "t",
          dense: point(round).vector,
          lexicalTerms: lexicalQueryTerms("wombat"),
          topK: 30,
          limit: 30,
          minScore: 0.95,
        });
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

  function cosine(left: ArrayLike<number>, right: ArrayLike<number>): number {
    let dot = 0;
    let leftSquares = 0;
    let rightSquares = 0;
    for (let index = 0; index < left.length; index++) {
      dot += left[index]! * right[index]!;
      leftSquares += left[index]! * left[index]!;
      rightSquares += right[index]! * right[index]!;
    }
    return dot / Math.sqrt(leftSquares * rightSquares);
  }

  /** Candidate queries over randomPoints: several vectors and texts, with and without filters. */
  function comparisonQueries(points: ChunkPoint[]): CandidatesRequest[] {
    const random = seededRandom(99);
    // A query per tenant listing every row, so any row the store lacks or keeps in excess shows.
    const everything = ["t", "u"].map((tenant) => ({ tenant, dense: points[0]!.vector, lexicalTerms: lexicalQueryTerms(WORDS[0]), limit: 1_000 }));
    return [
      ...everything,
      ...Array.from({ length: 12 }, (_, index) => ({
        tenant: index % 4 === 3 ? "u" : "t",
        dense: index % 3 === 0 ? points[index * 7]!.vector : contractVector(...Array.from({ length: 8 }, () => random() - 0.5)),
        lexicalTerms: index % 5 === 4 ? undefined : lexicalQueryTerms(`${WORDS[index % WORDS.length]} ${WORDS[(index * 5) % WORDS.length]}`),
        limit: 20,
        filter: index % 6 === 1 ? { documentIds: ["doc-1", "doc-4", "doc-9"] } : index % 6 === 5 ? { sources: ["source-2"] } : undefined,
      })),
    ];
  }

  /**
   * Checks the store's candidates against `rows`, the points it should hold now: the dense list is the
   * exact brute-force top `limit` by cosine (ids, order, scores), and every lexical candidate is a row
   * of the tenant and filter that holds a query word, with its current text and its exact cosine.
   */
  async function expectCandidatesMatch(store: VectorStore, rows: Map<string, ChunkPoint>, options: { approximateDense?: boolean } = {}) {
    for (const query of comparisonQueries([...rows.values()])) {
      const eligible = [...rows.values()].filter(
        (row) =>
          row.tenant === query.tenant &&
          (query.filter?.documentIds?.includes(row.metadata.documentId) ?? true) &&
          (query.filter?.sources?.includes(row.metadata.source) ?? true),
      );
      const expected = eligible
        .map((row) => ({ id: row.id, score: cosine(query.dense, row.vector) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, query.limit);
      const { dense, lexical } = await store.candidates(query);
      expect(expected.length).toBeGreaterThan(0);
      if (options.approximateDense) {
        // An ANN index may miss a neighbour, but what it returns carries the exact cosine, best first.
        const found = new Set(dense.map((candidate) => candidate.id));
        expect(expected.filter((entry) => found.has(entry.id)).length).toBeGreaterThanOrEqual(Math.floor(expected.length * 0.8));
        expect(dense[0]!.id).toBe(expected[0]!.id);
        for (const candidate of dense) expect(candidate.score).toBeCloseTo(cosine(query.dense, rows.get(candidate.id)!.vector), 5);
        const scores = dense.map((candidate) => candidate.score);
        expect(scores).toEqual([...scores].sort((a, b) => b - a));
      } else {
        expect(dense.map((candidate) => candidate.id)).toEqual(expected.map((entry) => entry.id));
        dense.forEach((candidate, index) => expect(candidate.score).toBeCloseTo(expected[index]!.score, 5));
      }
      const terms = (query.lexicalTerms ?? []).map((entry) => entry.term);
      if (terms.length > 0) expect(lexical.length).toBeGreaterThan(0);
      for (const candidate of lexical) {
        const row = eligible.find((entry) => entry.id === candidate.id);
        expect(row, `lexical candidate ${candidate.id} is a row of the tenant and filter`).toBeDefined();
        expect({ text: candidate.text, metadata: candidate.metadata, tenant: candidate.tenant }).toEqual({
          text: row!.text,
          metadata: row!.metadata,
          tenant: row!.tenant,
        });
        expect(terms.some((term) => chunkIndexTerms(row!).includes(term))).toBe(true);
        expect(candidate.similarity).toBeCloseTo(cosine(query.dense, row!.vector), 5);
      }
    }
  }

  it("lists the same candidates after a reopen as the table holds (deletes and tails included)", async () => {
    const { store, directory } = await openStore();
    const points = randomPoints(300, 7);
    await store.upsert(points);
    await store.deleteDocument("t", "doc-3");
    await store.deleteDocument("u", "doc-5", { fromChunkIndex: 100 });
    await store.optimize();
    await store.close();
    const rows = new Map(points.map((entry) => [entry.id, entry]));
    for (const entry of points) {
      const { tenant, metadata } = entry;
      if ((tenant === "t" && metadata.documentId === "doc-3") || (tenant === "u" && metadata.documentId === "doc-5" && metadata.chunkIndex >= 100))
        rows.delete(entry.id);
    }

    const reopened = await LanceDbVectorStore.open({ directory });
    try {
      await reopened.ensureCollection({ dimension: 8, model: "m" });
      expect((await reopened.count("t")) + (await reopened.count("u"))).toBe(rows.size);
      await expectCandidatesMatch(reopened, rows);
    } finally {
      await reopened.close();
    }
  });

  it("with an ANN index, lists dense candidates with exact (refined) cosine scores, best first", async () => {
    const { store, directory } = await openStore({ annIndexMinRows: 300 });
    const points = randomPoints(400, 17);
    await store.upsert(points);
    await store.optimize();
    expect((await inspectTable(directory, (table) => table.listIndices())).map((index) => index.columns[0])).toContain("vector");
    await expectCandidatesMatch(store, new Map(points.map((entry) => [entry.id, entry])), { approximateDense: true });
  });

  it("reflects replacements, moves between tenants and partial deletes made by concurrent writers", async () => {
    const { store: adapter } = await openStore();
    const store = asComposed(adapter);
    const points = randomPoints(200, 23);
    await store.upsert(points);
    const rows = new Map(points.map((entry) => [entry.id, entry]));
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
      // The delete is queued between the two upserts: it sees the first and not the second.
      await Promise.all([
        store.upsert(replaced.slice(0, 10)),
        store.deleteDocument("t", `doc-${round}`, { fromChunkIndex: 50 * round }),
        store.upsert(replaced.slice(10)),
      ]);
      for (const entry of replaced.slice(0, 10)) rows.set(entry.id, entry);
      for (const [id, entry] of rows) {
        if (entry.tenant === "t" && entry.metadata.documentId === `doc-${round}` && entry.metadata.chunkIndex >= 50 * round) rows.delete(id);
      }
      for (const entry of replaced.slice(10)) rows.set(entry.id, entry);
    }
    expect((await store.count("t")) + (await store.count("u"))).toBe(rows.size);
    await expectCandidatesMatch(store, rows);
  });

  it("finds a row whose write committed although the engine reported a failure", async () => {
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
    const store = new LanceDbVectorStore(flakyConnection);
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
    const result = await search(store, {
      tenant: points[19]!.tenant,
      dense: points[19]!.vector,
      lexicalTerms: lexicalQueryTerms("committed despite"),
      topK: 1,
      limit: 5,
      minScore: -1,
    });
    expect(result.hits[0]).toMatchObject({ id: points[19]!.id, text: "committed despite the error", scores: { denseRank: 1, textRank: 1 } });
  });

  it("flushes queued writes on close, also as composed", async () => {
    for (const wrap of [(store: VectorStore) => store, asComposed]) {
      const { store: adapter, reopen } = await openStore();
      const store = wrap(adapter);
      const pending = Promise.all(Array.from({ length: 20 }, (_, index) => store.upsert([point(index)])));
      await store.close();
      await pending;
      const reopened = await reopen();
      expect(await reopened.count("t")).toBe(20);
    }
  });
});
