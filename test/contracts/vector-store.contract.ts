import { v5 as uuidv5 } from "uuid";
import { afterAll, afterEach, beforeEach, describe, expect, it as vitestIt } from "vitest";
import { ConflictError, ValidationError } from "../../src/core/errors.js";
import { lexicalQueryTerms } from "../../src/core/ranking/lexical-query.js";
import { rankCandidates } from "../../src/core/ranking/rank-candidates.js";
import type { ChunkMetadata, ChunkPoint, SearchFilter, SearchHit, VectorStore } from "../../src/ports/vector-store.js";

/** What `create()` hands the suite: a fresh, empty store (no collection yet) and a way to open a second one on it. */
export interface VectorStoreContractSubject {
  store: VectorStore;
  /** Opens another store instance on the same directory/collection (as after a restart). */
  reopen: () => Promise<VectorStore>;
  /** Closes every store it made and removes what it created. */
  cleanup: () => Promise<void>;
}

/** Cases an adapter cannot pass, by exact test name, with the reason it cannot (shown in the skipped test's name). */
export interface VectorStoreContractSkip {
  reason: string;
  tests: string[];
}

export interface VectorStoreContractOptions {
  name: string;
  create: () => Promise<VectorStoreContractSubject>;
  skip?: VectorStoreContractSkip[];
}

const DIMENSION = 8;
const MODEL = "contract-embedder-v1";
const POINT_NAMESPACE = "3b0c1a5e-7f0e-4d55-9a57-0f6c1d2b9e11";

/** Normalised 8-dimensional vector from its leading components (the rest are 0). */
export function contractVector(...components: number[]): number[] {
  const padded = Array.from({ length: DIMENSION }, (_, index) => components[index] ?? 0);
  const norm = Math.hypot(...padded);
  return padded.map((value) => value / norm);
}

/** Unit vector at `degrees` from axis 0 in the plane of axes 0 and 1: its cosine to axis 0 is cos(degrees). */
function vectorAtAngle(degrees: number): number[] {
  const radians = (degrees * Math.PI) / 180;
  return contractVector(Math.cos(radians), Math.sin(radians));
}

interface PointInput {
  tenant?: string;
  documentId?: string;
  chunkIndex?: number;
  text?: string;
  vector?: number[];
  metadata?: Partial<ChunkMetadata>;
}

function makePoint(input: PointInput = {}): ChunkPoint {
  const tenant = input.tenant ?? "tenant-a";
  const documentId = input.documentId ?? "doc-1";
  const chunkIndex = input.chunkIndex ?? 0;
  const text = input.text ?? `chunk ${chunkIndex} of ${documentId}`;
  return {
    id: uuidv5(`${tenant}\u0000${documentId}\u0000${chunkIndex}`, POINT_NAMESPACE),
    tenant,
    text,
    vector: input.vector ?? contractVector(1),
    metadata: {
      documentId,
      title: `Title of ${documentId}`,
      source: `${documentId}.md`,
      chunkIndex,
      start: chunkIndex * 100,
      end: chunkIndex * 100 + text.length,
      headingPath: [],
      page: null,
      contentHash: `hash-${documentId}-${chunkIndex}`,
      embeddingModel: MODEL,
      ...input.metadata,
    },
  };
}

interface RankedQuery {
  tenant: string;
  dense: number[];
  text?: string;
  topK: number;
  candidateK: number;
  minScore: number;
  filter?: SearchFilter;
}

function request(overrides: Partial<RankedQuery> = {}): RankedQuery {
  return { tenant: "tenant-a", dense: contractVector(1), topK: 10, candidateK: 50, minScore: -1, ...overrides };
}

/** What the retrieve use case does with a store: `candidates`, then the core ranking (fusion, threshold, top-k, cut). */
async function search(store: VectorStore, query: RankedQuery): Promise<{ hits: SearchHit[]; cut: SearchHit[] }> {
  const lists = await store.candidates({
    tenant: query.tenant,
    dense: query.dense,
    lexicalTerms: lexicalQueryTerms(query.text),
    limit: query.candidateK,
    filter: query.filter,
  });
  const ranked = rankCandidates(lists, query);
  const toHit = ({ candidate, scores }: (typeof ranked.hits)[number]): SearchHit => ({
    id: candidate.id,
    tenant: candidate.tenant,
    text: candidate.text,
    metadata: candidate.metadata,
    scores,
  });
  return { hits: ranked.hits.map(toHit), cut: ranked.cut.map(toHit) };
}

/**
 * The VectorStore contract (see src/ports/vector-store.ts), run once per adapter: `candidates` on its
 * own, and through the core ranking as the retrieve use case runs it. Vectors are small (dimension 8)
 * and built here so similarities are known exactly. A case listed in `skip` is registered as skipped
 * with its reason; naming a case that does not exist fails the suite.
 */
export function runVectorStoreContract(options: VectorStoreContractOptions): void {
  const skipped = new Map<string, string>();
  for (const entry of options.skip ?? []) for (const test of entry.tests) skipped.set(test, entry.reason);
  const registered = new Set<string>();
  const it = (name: string, body: () => Promise<void>) => {
    registered.add(name);
    const reason = skipped.get(name);
    if (reason === undefined) vitestIt(name, body);
    else vitestIt.skip(`${name} (skipped: ${reason})`, body);
  };

  describe(`VectorStore contract: ${options.name}`, () => {
    let subject: VectorStoreContractSubject;
    let store: VectorStore;

    beforeEach(async () => {
      subject = await options.create();
      store = subject.store;
      await store.ensureCollection({ dimension: DIMENSION, model: MODEL });
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    it("finds an upserted point with its exact dense similarity", async () => {
      const point = makePoint({ text: "the quick brown fox" });
      await store.upsert([point]);
      const result = await search(store, request());
      expect(result.hits).toHaveLength(1);
      const hit = result.hits[0]!;
      expect(hit.id).toBe(point.id);
      expect(hit.tenant).toBe("tenant-a");
      expect(hit.text).toBe("the quick brown fox");
      expect(hit.scores.dense).toBeCloseTo(1, 5);
      expect(hit.scores.denseRank).toBe(1);
      expect(hit.scores.text).toBeNull();
      expect(hit.scores.textRank).toBeNull();
      expect(hit.scores.fused).toBeGreaterThan(0);
      expect(result.cut).toEqual([]);
    });

    it("returns empty hits on an empty collection", async () => {
      expect(await search(store, request({ text: "anything at all" }))).toEqual({ hits: [], cut: [] });
      expect(await store.count("tenant-a")).toBe(0);
    });

    it("is idempotent on point id", async () => {
      const points = [0, 1, 2].map((chunkIndex) => makePoint({ chunkIndex }));
      await store.upsert(points);
      await store.upsert(points);
      await store.upsert([points[1]!, points[1]!]);
      expect(await store.count("tenant-a")).toBe(3);
      expect(await store.count("tenant-a", "doc-1")).toBe(3);
      const ids = (await search(store, request())).hits.map((hit) => hit.id);
      expect(new Set(ids)).toEqual(new Set(points.map((point) => point.id)));
      expect(ids).toHaveLength(3);
    });

    it("replaces a point's text and vector on re-upsert, lexically too", async () => {
      await store.upsert([makePoint({ text: "original wording about aardvarks", vector: contractVector(1) })]);
      await store.upsert([makePoint({ text: "replacement wording about pangolins", vector: contractVector(0, 1) })]);
      expect(await store.count("tenant-a")).toBe(1);
      const dense = await search(store, request({ dense: contractVector(0, 1) }));
      expect(dense.hits.map((hit) => hit.text)).toEqual(["replacement wording about pangolins"]);
      expect(dense.hits[0]!.scores.dense).toBeCloseTo(1, 5);
      const newTerm = await search(store, request({ text: "pangolins" }));
      expect(newTerm.hits[0]!.scores.textRank).toBe(1);
      const oldTerm = await search(store, request({ text: "aardvarks" }));
      expect(oldTerm.hits.every((hit) => hit.scores.textRank === null)).toBe(true);
    });

    it("deleteDocument removes every chunk of the document from search and count", async () => {
      await store.upsert([0, 1, 2].map((chunkIndex) => makePoint({ documentId: "doc-gone", chunkIndex, text: "shared words" })));
      await store.upsert([0, 1].map((chunkIndex) => makePoint({ documentId: "doc-kept", chunkIndex, text: "shared words" })));
      await store.deleteDocument("tenant-a", "doc-gone");
      expect(await store.count("tenant-a", "doc-gone")).toBe(0);
      expect(await store.count("tenant-a")).toBe(2);
      const result = await search(store, request({ text: "shared words" }));
      expect(result.hits.map((hit) => hit.metadata.documentId)).toEqual(["doc-kept", "doc-kept"]);
      await store.deleteDocument("tenant-a", "doc-never-existed");
    });

    it("deleteDocument with fromChunkIndex removes only the tail", async () => {
      await store.upsert([0, 1, 2, 3, 4].map((chunkIndex) => makePoint({ chunkIndex })));
      await store.deleteDocument("tenant-a", "doc-1", { fromChunkIndex: 3 });
      expect(await store.count("tenant-a", "doc-1")).toBe(3);
      const indexes = (await search(store, request())).hits.map((hit) => hit.metadata.chunkIndex).sort();
      expect(indexes).toEqual([0, 1, 2]);
    });

    it("isolates tenants, even with identical vectors, texts and document ids", async () => {
      const tenants = ["tenant-a", "tenant-o'brien"];
      for (const tenant of tenants) {
        await store.upsert([0, 1].map((chunkIndex) => makePoint({ tenant, chunkIndex, text: "identical secret text" })));
      }
      for (const tenant of tenants) {
        const result = await search(store, request({ tenant, text: "identical secret text", minScore: -1 }));
        expect(result.hits).toHaveLength(2);
        expect([...result.hits, ...result.cut].every((hit) => hit.tenant === tenant)).toBe(true);
      }
      const injected = await search(store, request({ tenant: "x' OR '1'='1", text: "identical secret text" }));
      expect(injected).toEqual({ hits: [], cut: [] });
      await store.deleteDocument("tenant-o'brien", "doc-1");
      expect(await store.count("tenant-o'brien")).toBe(0);
      expect(await store.count("tenant-a")).toBe(2);
    });

    it("thresholds on the absolute dense similarity and reports what it cut", async () => {
      const angles = [0, 30, 60, 80, 120];
      await store.upsert(angles.map((angle, chunkIndex) => makePoint({ chunkIndex, vector: vectorAtAngle(angle) })));
      const result = await search(store, request({ minScore: 0.4 }));
      expect(result.hits.map((hit) => hit.metadata.chunkIndex).sort()).toEqual([0, 1, 2]);
      expect(result.hits.every((hit) => hit.scores.dense >= 0.4)).toBe(true);
      expect(result.cut.map((hit) => hit.metadata.chunkIndex)).toEqual([3, 4]);
      expect(result.cut[0]!.scores.dense).toBeCloseTo(Math.cos((80 * Math.PI) / 180), 5);
      expect(result.cut[1]!.scores.dense).toBeCloseTo(-0.5, 5);

      const unrelated = await search(store, request({ dense: contractVector(0, 0, 0, 0, 0, 0, 0, 1), minScore: 0.99 }));
      expect(unrelated.hits).toEqual([]);
      expect(unrelated.cut).toHaveLength(5);
      const cutScores = unrelated.cut.map((hit) => hit.scores.dense);
      expect(cutScores).toEqual([...cutScores].sort((a, b) => b - a));
      expect(cutScores.every((score) => score < 0.99)).toBe(true);
    });

    it("fuses a lexical match that is only mediocre densely, with an absolute dense score", async () => {
      const denseNeighbours = [5, 10, 15, 20, 25, 30].map((angle, chunkIndex) =>
        makePoint({ chunkIndex, vector: vectorAtAngle(angle), text: `ordinary paragraph number ${chunkIndex}` }),
      );
      const lexicalMatch = makePoint({ chunkIndex: 6, vector: vectorAtAngle(70), text: "brewing science is called zymurgy" });
      await store.upsert([...denseNeighbours, lexicalMatch]);
      const result = await search(store, request({ text: "what is zymurgy?", candidateK: 3, topK: 10, minScore: 0.2 }));
      const fusedHit = result.hits.find((hit) => hit.id === lexicalMatch.id);
      expect(fusedHit).toBeDefined();
      expect(fusedHit!.scores.textRank).toBe(1);
      expect(fusedHit!.scores.text).toBeGreaterThan(0);
      expect(fusedHit!.scores.denseRank).toBeNull();
      expect(fusedHit!.scores.dense).toBeCloseTo(Math.cos((70 * Math.PI) / 180), 5);
      const fused = result.hits.map((hit) => hit.scores.fused);
      expect(fused).toEqual([...fused].sort((a, b) => b - a));
      // Rank 1 lexically ties rank 1 densely in RRF, so both lead the fused list.
      expect(new Set(result.hits.slice(0, 2).map((hit) => hit.id))).toEqual(new Set([denseNeighbours[0]!.id, lexicalMatch.id]));

      const strict = await search(store, request({ text: "zymurgy", candidateK: 3, minScore: 0.5 }));
      expect(strict.hits.some((hit) => hit.id === lexicalMatch.id)).toBe(false);
      expect(strict.cut.map((hit) => hit.id)).toContain(lexicalMatch.id);
    });

    it("returns full text and metadata for lexical-only hits and for cut candidates", async () => {
      const denseNeighbour = makePoint({ chunkIndex: 0, vector: vectorAtAngle(10), text: "ordinary paragraph", metadata: { headingPath: ["A"], page: 2 } });
      const secondNeighbour = makePoint({ chunkIndex: 1, vector: vectorAtAngle(20), text: "another ordinary paragraph" });
      const lexicalOnly = makePoint({
        chunkIndex: 2,
        vector: vectorAtAngle(60),
        text: "the quokka is a small wallaby",
        metadata: { headingPath: ["B", "C"], page: 3 },
      });
      const farAway = makePoint({ chunkIndex: 3, vector: vectorAtAngle(100), text: "a quokka sighting", metadata: { headingPath: [], page: null } });
      await store.upsert([denseNeighbour, secondNeighbour, lexicalOnly, farAway]);
      const result = await search(store, request({ text: "quokka", candidateK: 2, topK: 10, minScore: 0.3 }));
      const expectFull = (hit: SearchHit | undefined, point: ChunkPoint) =>
        expect(hit).toMatchObject({ id: point.id, tenant: point.tenant, text: point.text, metadata: point.metadata });
      expectFull(
        result.hits.find((hit) => hit.id === denseNeighbour.id),
        denseNeighbour,
      );
      expectFull(
        result.hits.find((hit) => hit.id === lexicalOnly.id),
        lexicalOnly,
      );
      expect(result.hits.find((hit) => hit.id === lexicalOnly.id)!.scores.denseRank).toBeNull();
      expect(result.cut.map((hit) => hit.id)).toEqual([farAway.id]);
      expectFull(result.cut[0], farAway);
      expect(result.cut[0]!.scores.dense).toBeCloseTo(Math.cos((100 * Math.PI) / 180), 5);
    });

    it("never throws on arbitrary user text in the lexical query", async () => {
      await store.upsert([makePoint({ text: 'plain text: with (parentheses) and "quotes"' })]);
      const nasty = [
        '"unbalanced',
        "a:b",
        "(foo",
        "AND OR NOT",
        "text:plain",
        "*",
        "?",
        "\\",
        "a~2",
        "+-!^",
        "[x TO y]",
        "   ",
        "''",
        "héllo wörld 日本語 🙂",
        "'; DROP TABLE chunks; --",
      ];
      for (const text of nasty) {
        const result = await search(store, request({ text }));
        expect(result.hits).toHaveLength(1);
      }
    });

    it("filters by documentIds and sources within the tenant", async () => {
      for (const documentId of ["doc-a", "doc-b", "doc-c"]) {
        await store.upsert([0, 1].map((chunkIndex) => makePoint({ documentId, chunkIndex, text: "common words" })));
      }
      const byDocument = await search(store, request({ text: "common", filter: { documentIds: ["doc-a", "doc-c"] } }));
      expect(new Set([...byDocument.hits, ...byDocument.cut].map((hit) => hit.metadata.documentId))).toEqual(new Set(["doc-a", "doc-c"]));
      expect(byDocument.hits).toHaveLength(4);
      const bySource = await search(store, request({ filter: { sources: ["doc-b.md"] } }));
      expect(bySource.hits.map((hit) => hit.metadata.documentId)).toEqual(["doc-b", "doc-b"]);
      const none = await search(store, request({ filter: { documentIds: [] } }));
      expect(none.hits).toEqual([]);
    });

    it("refuses another embedding model or dimension with ConflictError, also after a reopen", async () => {
      await store.upsert([makePoint()]);
      await expect(store.ensureCollection({ dimension: DIMENSION, model: "other-model" })).rejects.toBeInstanceOf(ConflictError);
      await expect(store.upsert([makePoint({ metadata: { embeddingModel: "other-model" } })])).rejects.toBeInstanceOf(ConflictError);

      const reopened = await subject.reopen();
      await expect(reopened.ensureCollection({ dimension: 16, model: MODEL })).rejects.toBeInstanceOf(ConflictError);
      const error = await reopened.ensureCollection({ dimension: DIMENSION, model: "other-model" }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).toContain(MODEL);
      expect((error as Error).message).toContain("other-model");
      await reopened.ensureCollection({ dimension: DIMENSION, model: MODEL });
      expect(await reopened.count("tenant-a")).toBe(1);
    });

    it("round-trips metadata exactly", async () => {
      const withPage = makePoint({
        chunkIndex: 0,
        text: "Ünïcödé chunk — with 'quotes'",
        metadata: { headingPath: ["Intro", "Part 'two' / ü"], page: 7, start: 12, end: 41, title: "Tïtle", contentHash: "a".repeat(64) },
      });
      const withoutPage = makePoint({ chunkIndex: 1, vector: vectorAtAngle(10), metadata: { headingPath: [], page: null, start: 0, end: 0 } });
      await store.upsert([withPage, withoutPage]);
      const hits = (await search(store, request())).hits;
      expect(hits.find((hit) => hit.id === withPage.id)).toMatchObject({ text: withPage.text, metadata: withPage.metadata, tenant: withPage.tenant });
      expect(hits.find((hit) => hit.id === withoutPage.id)!.metadata).toEqual(withoutPage.metadata);
    });

    it("commits many concurrent small upserts, each visible once its promise resolves", async () => {
      const points = Array.from({ length: 40 }, (_, index) =>
        makePoint({ documentId: `doc-${index}`, vector: vectorAtAngle(index), text: `concurrent note ${index} keyword${index}` }),
      );
      await Promise.all(
        points.map(async (point, index) => {
          await store.upsert([point]);
          const result = await search(store, request({ text: `keyword${index}`, filter: { documentIds: [`doc-${index}`] } }));
          expect(result.hits.map((hit) => hit.id)).toEqual([point.id]);
        }),
      );
      expect(await store.count("tenant-a")).toBe(40);
    });

    it("reports health up", async () => {
      expect((await store.health()).status).toBe("up");
    });

    it("lists dense candidates nearest first with exact cosine scores, at most `limit`", async () => {
      const angles = [50, 10, 120, 30, 80];
      await store.upsert(angles.map((angle, chunkIndex) => makePoint({ chunkIndex, vector: vectorAtAngle(angle), text: `paragraph ${chunkIndex}` })));
      const all = await store.candidates({ tenant: "tenant-a", dense: contractVector(1), limit: 10 });
      expect(all.lexical).toEqual([]);
      expect(all.dense.map((candidate) => candidate.metadata.chunkIndex)).toEqual([1, 3, 0, 4, 2]);
      all.dense.forEach((candidate) => expect(candidate.score).toBeCloseTo(Math.cos((angles[candidate.metadata.chunkIndex]! * Math.PI) / 180), 5));
      expect(all.dense[0]).toMatchObject({ tenant: "tenant-a", text: "paragraph 1", metadata: { documentId: "doc-1", chunkIndex: 1 } });
      const two = await store.candidates({ tenant: "tenant-a", dense: contractVector(1), lexicalTerms: lexicalQueryTerms("paragraph"), limit: 2 });
      expect(two.dense.map((candidate) => candidate.metadata.chunkIndex)).toEqual([1, 3]);
      expect(two.lexical).toHaveLength(2);
    });

    it("lists lexical candidates best BM25 first, each with the exact cosine of its stored vector", async () => {
      await store.upsert([
        makePoint({ chunkIndex: 0, vector: vectorAtAngle(0), text: "ordinary text without the rare word" }),
        makePoint({ chunkIndex: 1, vector: vectorAtAngle(60), text: "wombat" }),
        makePoint({ chunkIndex: 2, vector: vectorAtAngle(100), text: "a long paragraph that mentions the wombat once among many other words here" }),
      ]);
      const lists = await store.candidates({ tenant: "tenant-a", dense: contractVector(1), lexicalTerms: lexicalQueryTerms("wombat"), limit: 10 });
      expect(lists.lexical.map((candidate) => candidate.metadata.chunkIndex)).toEqual([1, 2]);
      expect(lists.lexical[0]!.score).toBeGreaterThan(lists.lexical[1]!.score);
      expect(lists.lexical[1]!.score).toBeGreaterThan(0);
      expect(lists.lexical[0]!.similarity).toBeCloseTo(0.5, 5);
      expect(lists.lexical[1]!.similarity).toBeCloseTo(Math.cos((100 * Math.PI) / 180), 5);
      expect(lists.lexical[0]).toMatchObject({ tenant: "tenant-a", text: "wombat", metadata: { chunkIndex: 1, documentId: "doc-1" } });
      expect(lists.dense).toHaveLength(3);
    });

    it("restricts both candidate lists to the tenant and the filter", async () => {
      await store.upsert([
        makePoint({ tenant: "tenant-a", documentId: "doc-a", text: "shared secret words" }),
        makePoint({ tenant: "tenant-a", documentId: "doc-b", text: "shared secret words" }),
        makePoint({ tenant: "tenant-b", documentId: "doc-a", text: "shared secret words" }),
      ]);
      const lists = await store.candidates({ tenant: "tenant-b", dense: contractVector(1), lexicalTerms: lexicalQueryTerms("secret"), limit: 10 });
      expect([...lists.dense, ...lists.lexical].map((candidate) => candidate.tenant)).toEqual(["tenant-b", "tenant-b"]);
      const filtered = await store.candidates({
        tenant: "tenant-a",
        dense: contractVector(1),
        lexicalTerms: lexicalQueryTerms("secret"),
        limit: 10,
        filter: { documentIds: ["doc-b"] },
      });
      expect([...filtered.dense, ...filtered.lexical].map((candidate) => candidate.metadata.documentId)).toEqual(["doc-b", "doc-b"]);
      expect(
        await store.candidates({ tenant: "tenant-a", dense: contractVector(1), lexicalTerms: lexicalQueryTerms("secret"), limit: 10, filter: { sources: [] } }),
      ).toEqual({
        dense: [],
        lexical: [],
      });
    });

    it("matches core's analysis on both sides: stems, ASCII folding and case meet across question and chunk", async () => {
      await store.upsert([
        makePoint({ chunkIndex: 0, text: "She was studying the archives", vector: vectorAtAngle(40) }),
        makePoint({ chunkIndex: 1, text: "Notes from the CAFÉ on Straße nine", vector: vectorAtAngle(50) }),
        makePoint({ chunkIndex: 2, text: "nothing relevant here at all", vector: vectorAtAngle(0) }),
      ]);
      const lexicalIndexes = async (question: string) =>
        (await store.candidates({ tenant: "tenant-a", dense: contractVector(1), lexicalTerms: lexicalQueryTerms(question), limit: 10 })).lexical.map(
          (candidate) => candidate.metadata.chunkIndex,
        );
      // Neither engine's own analysis would meet these: "studies"/"studying" only share core's Porter2 stem.
      expect(await lexicalIndexes("Which studies?")).toEqual([0]);
      expect(await lexicalIndexes("cafe strasse")).toEqual([1]);
      expect(await lexicalIndexes("Café")).toEqual([1]);
    });

    it("gives an empty lexical list for a stop-word-only question, and the index holds no stop words", async () => {
      await store.upsert([makePoint({ text: "the of and wombat", metadata: { title: "What is it" } })]);
      expect(lexicalQueryTerms("What is it, and where is the one?")).toEqual([]);
      const stopWordsOnly = await store.candidates({
        tenant: "tenant-a",
        dense: contractVector(1),
        lexicalTerms: lexicalQueryTerms("What is the of?"),
        limit: 5,
      });
      expect(stopWordsOnly.lexical).toEqual([]);
      expect(stopWordsOnly.dense).toHaveLength(1);
      // Sent as terms anyway, stop words find nothing: the chunk was indexed under core's terms only.
      const raw = await store.candidates({ tenant: "tenant-a", dense: contractVector(1), lexicalTerms: [{ term: "the", weight: 1 }], limit: 5 });
      expect(raw.lexical).toEqual([]);
      const topical = await store.candidates({ tenant: "tenant-a", dense: contractVector(1), lexicalTerms: lexicalQueryTerms("wombats"), limit: 5 });
      expect(topical.lexical).toHaveLength(1);
    });

    it("finds a chunk by a word only its title holds", async () => {
      await store.upsert([
        makePoint({ chunkIndex: 0, text: "fermentation of grain and hops", metadata: { title: "Zymurgy handbook" } }),
        makePoint({ chunkIndex: 1, text: "an unrelated paragraph", metadata: { title: "Gardening" } }),
      ]);
      const lists = await store.candidates({ tenant: "tenant-a", dense: contractVector(1), lexicalTerms: lexicalQueryTerms("zymurgy"), limit: 5 });
      expect(lists.lexical.map((candidate) => candidate.metadata.chunkIndex)).toEqual([0]);
      expect(lists.lexical[0]!.text).toBe("fermentation of grain and hops");
    });

    it("multiplies each term's BM25 share by its weight", async () => {
      // Two chunks of equal length, each holding one of the two terms once: equal IDF, equal term frequency.
      await store.upsert([
        makePoint({ chunkIndex: 0, text: "wombat burrow evening", metadata: { title: "" } }),
        makePoint({ chunkIndex: 1, text: "numbat burrow evening", metadata: { title: "" } }),
        makePoint({ chunkIndex: 2, text: "wombat numbat meeting", metadata: { title: "" } }),
        ...[3, 4, 5].map((chunkIndex) => makePoint({ chunkIndex, text: `filler paragraph ${chunkIndex}`, metadata: { title: "" } })),
      ]);
      const lexical = async (lexicalTerms: Array<{ term: string; weight: number }>) => {
        const lists = await store.candidates({ tenant: "tenant-a", dense: contractVector(1), lexicalTerms, limit: 10 });
        return new Map(lists.lexical.map((candidate) => [candidate.metadata.chunkIndex, candidate.score]));
      };
      const wombatFirst = await lexical([
        { term: "wombat", weight: 1 },
        { term: "numbat", weight: 0.1 },
      ]);
      const numbatFirst = await lexical([
        { term: "wombat", weight: 0.1 },
        { term: "numbat", weight: 1 },
      ]);
      expect(wombatFirst.get(0)! / wombatFirst.get(1)!).toBeCloseTo(10, 3);
      expect(numbatFirst.get(1)! / numbatFirst.get(0)!).toBeCloseTo(10, 3);
      expect(wombatFirst.get(2)!).toBeCloseTo(wombatFirst.get(0)! + wombatFirst.get(1)!, 4);

      const plain = await lexical(lexicalQueryTerms("wombat numbat"));
      const halves = await lexical([
        { term: "wombat", weight: 0.5 },
        { term: "numbat", weight: 1 },
        { term: "wombat", weight: 0.5 },
      ]);
      for (const [chunkIndex, score] of plain) expect(halves.get(chunkIndex)).toBeCloseTo(score, 4);
      expect(plain.get(2)!).toBeCloseTo(plain.get(0)! + plain.get(1)!, 4);

      const withoutNumbat = await lexical([
        { term: "wombat", weight: 1 },
        { term: "numbat", weight: 0 },
      ]);
      expect([...withoutNumbat.keys()].sort()).toEqual([0, 2]);
      expect(await lexical([{ term: "numbat", weight: 0 }])).toEqual(new Map());
    });

    it("refuses malformed points with ValidationError and writes nothing of the batch", async () => {
      const good = makePoint({ chunkIndex: 0 });
      const attempts: ChunkPoint[][] = [
        [good, makePoint({ chunkIndex: 1, vector: [1, 0, 0] })],
        [good, makePoint({ chunkIndex: 1, vector: contractVector(1).map(() => Number.NaN) })],
        [good, makePoint({ chunkIndex: 1, metadata: { chunkIndex: -1 } })],
        [good, makePoint({ chunkIndex: 1, metadata: { page: 0 } })],
        [good, { ...makePoint({ chunkIndex: 1 }), tenant: "" }],
      ];
      for (const points of attempts) await expect(store.upsert(points)).rejects.toBeInstanceOf(ValidationError);
      expect(await store.count("tenant-a")).toBe(0);
    });

    it("refuses a malformed candidates request with ValidationError", async () => {
      await store.upsert([makePoint()]);
      const valid = { tenant: "tenant-a", dense: contractVector(1), limit: 5 };
      await expect(store.candidates({ ...valid, dense: [1, 0, 0] })).rejects.toBeInstanceOf(ValidationError);
      await expect(store.candidates({ ...valid, dense: contractVector(0).map(() => 0) })).rejects.toBeInstanceOf(ValidationError);
      await expect(store.candidates({ ...valid, limit: 0 })).rejects.toBeInstanceOf(ValidationError);
      await expect(store.candidates({ ...valid, tenant: "" })).rejects.toBeInstanceOf(ValidationError);
      await expect(store.candidates({ ...valid, filter: { documentIds: ["bad\u0000id"] } })).rejects.toBeInstanceOf(ValidationError);
      for (const lexicalTerms of [
        [{ term: "two words", weight: 1 }],
        [{ term: "", weight: 1 }],
        [{ term: "wombat", weight: Number.NaN }],
        [{ term: "wombat", weight: -1 }],
      ]) {
        await expect(store.candidates({ ...valid, lexicalTerms })).rejects.toBeInstanceOf(ValidationError);
      }
    });
  });

  afterAll(() => {
    const unknown = [...skipped.keys()].filter((name) => !registered.has(name));
    expect(unknown, "skip entries naming no contract case").toEqual([]);
  });
}
