import { describe, expect, it } from "vitest";
import { LanceDbMemoryMirror } from "../../src/adapters/vector-store/lancedb/lancedb-memory-mirror.js";
import { prepareQuery } from "../../src/adapters/vector-store/lancedb/vector-columns.js";
import type { ChunkRow } from "../../src/adapters/vector-store/lancedb/lancedb-schema.js";

const DIMENSION = 12;

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function row(id: string, tenant: string, vector: number[], overrides: Partial<ChunkRow> = {}): ChunkRow {
  return {
    id,
    tenant,
    document_id: "doc",
    chunk_index: 0,
    text: `text of ${id}`,
    vector,
    title: "title",
    source: "source",
    start: 0,
    end: 10,
    heading_path: JSON.stringify(["a", "b"]),
    page: null,
    content_hash: "hash",
    embedding_model: "m",
    ...overrides,
  };
}

function cosine(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let dot = 0;
  let leftSquares = 0;
  let rightSquares = 0;
  for (let index = 0; index < left.length; index++) {
    dot += left[index]! * right[index]!;
    leftSquares += left[index]! ** 2;
    rightSquares += right[index]! ** 2;
  }
  return dot / Math.sqrt(leftSquares * rightSquares);
}

describe("LanceDbMemoryMirror", () => {
  const random = seededRandom(42);
  const randomVector = () => Array.from({ length: DIMENSION }, () => random() - 0.5);

  it("returns the exact top-k by cosine, best first, after inserts, replacements and deletes", () => {
    const mirror = new LanceDbMemoryMirror(DIMENSION);
    const vectors = new Map<string, number[]>();
    const rows = Array.from({ length: 500 }, (_, index) => {
      const vector = randomVector().map((value) => value * (1 + index));
      vectors.set(`id-${index}`, vector);
      return row(`id-${index}`, "t", vector, { document_id: `doc-${index % 10}`, chunk_index: index, source: `s-${index % 3}` });
    });
    mirror.upsert(rows);
    for (let index = 0; index < 500; index += 7) {
      const vector = randomVector();
      vectors.set(`id-${index}`, vector);
      mirror.upsert([{ ...rows[index]!, vector }]);
    }
    mirror.deleteDocument("t", "doc-3");
    mirror.deleteDocument("t", "doc-5", 250);
    const remaining = rows.filter((candidate) => candidate.document_id !== "doc-3" && !(candidate.document_id === "doc-5" && candidate.chunk_index >= 250));
    expect(mirror.size).toBe(remaining.length);

    const query = Float64Array.from(Float32Array.from(randomVector()));
    const expected = remaining
      .map((candidate) => ({ id: candidate.id, score: cosine(query, Float32Array.from(vectors.get(candidate.id)!)) }))
      .sort((a, b) => b.score - a.score);
    for (const limit of [1, 5, 50, remaining.length, remaining.length + 10]) {
      const result = mirror.searchDense("t", undefined, prepareQuery(query), limit);
      expect(result.ids).toEqual(expected.slice(0, limit).map((entry) => entry.id));
      result.similarities.forEach((similarity, index) => expect(similarity).toBeCloseTo(expected[index]!.score, 10));
    }

    // A query with few non-zero components takes the sparse loop; the answer must be the same.
    const sparseQuery = Float64Array.from({ length: DIMENSION }, (_, index) => (index % 5 === 1 ? random() - 0.5 : 0));
    const expectedSparse = remaining
      .map((candidate) => ({ id: candidate.id, score: cosine(sparseQuery, Float32Array.from(vectors.get(candidate.id)!)) }))
      .sort((a, b) => b.score - a.score);
    const sparse = mirror.searchDense("t", undefined, prepareQuery(sparseQuery), 20);
    expect(sparse.ids).toEqual(expectedSparse.slice(0, 20).map((entry) => entry.id));
    sparse.similarities.forEach((similarity, index) => expect(similarity).toBeCloseTo(expectedSparse[index]!.score, 10));

    const filtered = mirror.searchDense("t", { documentIds: ["doc-1", "doc-5", "doc-3"], sources: ["s-0", "s-1"] }, prepareQuery(query), 1_000);
    const expectedFiltered = expected.filter((entry) => {
      const candidate = rows[Number(entry.id.slice(3))]!;
      return ["doc-1", "doc-5"].includes(candidate.document_id) && ["s-0", "s-1"].includes(candidate.source);
    });
    expect(filtered.ids).toEqual(expectedFiltered.map((entry) => entry.id));
    expect(mirror.searchDense("t", { sources: ["s-2"] }, prepareQuery(query), 3).ids).toEqual(
      expected
        .filter((entry) => rows[Number(entry.id.slice(3))]!.source === "s-2")
        .slice(0, 3)
        .map((entry) => entry.id),
    );
    expect(mirror.searchDense("t", { documentIds: [] }, prepareQuery(query), 10).ids).toEqual([]);
  });

  it("keeps tenants apart and moves an id that is re-upserted under another tenant", () => {
    const mirror = new LanceDbMemoryMirror(DIMENSION);
    const vector = randomVector();
    mirror.upsert([row("shared", "a", vector), row("only-a", "a", randomVector())]);
    const query = Float64Array.from(vector);
    expect(mirror.searchDense("b", undefined, prepareQuery(query), 5).ids).toEqual([]);
    mirror.upsert([row("shared", "b", vector, { text: "moved" })]);
    expect(mirror.searchDense("a", undefined, prepareQuery(query), 5).ids).toEqual(["only-a"]);
    expect(mirror.searchDense("b", undefined, prepareQuery(query), 5).ids).toEqual(["shared"]);
    expect(mirror.chunk("b", "shared")?.text).toBe("moved");
    expect(mirror.chunk("a", "shared")).toBeUndefined();
    expect(mirror.similarity("b", "shared", prepareQuery(query))).toBeCloseTo(1, 6);
    expect(mirror.similarity("a", "shared", prepareQuery(query))).toBeUndefined();
    expect(mirror.size).toBe(2);
  });

  it("hands out copies of metadata and checks the filter on lookups", () => {
    const mirror = new LanceDbMemoryMirror(DIMENSION);
    mirror.upsert([row("one", "t", randomVector(), { page: 4 })]);
    const chunk = mirror.chunk("t", "one")!;
    expect(chunk).toEqual({
      text: "text of one",
      metadata: {
        documentId: "doc",
        title: "title",
        source: "source",
        chunkIndex: 0,
        start: 0,
        end: 10,
        headingPath: ["a", "b"],
        page: 4,
        contentHash: "hash",
        embeddingModel: "m",
      },
    });
    chunk.metadata.headingPath.push("mutated");
    expect(mirror.chunk("t", "one")!.metadata.headingPath).toEqual(["a", "b"]);
    expect(mirror.has("t", "one", { documentIds: ["doc"] })).toBe(true);
    expect(mirror.has("t", "one", { sources: ["other"] })).toBe(false);
  });
});
