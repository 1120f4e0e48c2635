import { describe, expect, it } from "vitest";
import { bm25DocumentVector, bm25QueryVector, fnv1a32, termCounts } from "../../src/adapters/vector-store/qdrant/bm25-sparse-vector.js";
import { chunkIndexTerms } from "../../src/adapters/vector-store/lexical-terms.js";
import { lexicalQueryTerms } from "../../src/core/ranking/lexical-query.js";
import { tokenizeTerms } from "../../src/core/text/text-tokens.js";

describe("fnv1a32", () => {
  it("matches the published FNV-1a 32-bit test vectors", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("hashes the UTF-8 bytes, so non-ASCII terms are stable unsigned 32-bit indices", () => {
    const hash = fnv1a32("日本");
    expect(hash).toBe(fnv1a32("日本"));
    expect(Number.isInteger(hash) && hash >= 0 && hash <= 0xffffffff).toBe(true);
    expect(hash).not.toBe(fnv1a32("日"));
  });
});

describe("bm25DocumentVector", () => {
  it("keys core's terms by hash (stopwords dropped, stems merged) and saturates term frequency", () => {
    const terms = tokenizeTerms("The wombat digs. Wombats dig burrows; a wombat sleeps.");
    const vector = bm25DocumentVector(terms, { averageLength: 6 });
    const counts = termCounts(terms);
    expect(counts.get(fnv1a32("wombat"))).toBe(3);
    expect(counts.get(fnv1a32("dig"))).toBe(2);
    expect(counts.has(fnv1a32("the"))).toBe(false);
    expect(vector.indices).toEqual([...counts.keys()].sort((a, b) => a - b));
    const valueOf = (term: string) => vector.values[vector.indices.indexOf(fnv1a32(term))]!;
    // tf·(k1+1) / (tf + k1·(1 − b + b·len/avg)) with len 7 (wombat×3, dig×2, burrow, sleep), avg 6.
    const norm = 1 - 0.75 + (0.75 * 7) / 6;
    expect(valueOf("wombat")).toBeCloseTo((3 * 2.2) / (3 + 1.2 * norm), 12);
    expect(valueOf("burrow")).toBeCloseTo(2.2 / (1 + 1.2 * norm), 12);
    expect(valueOf("wombat")).toBeGreaterThan(valueOf("dig"));
    expect(valueOf("wombat")).toBeLessThan(2.2);
  });

  it("is deterministic, sorted, unique and aligned", () => {
    const terms = tokenizeTerms("Zymurgy is the science of brewing; brewing science, again brewing.");
    const vector = bm25DocumentVector(terms);
    expect(bm25DocumentVector(terms)).toEqual(vector);
    expect(new Set(vector.indices).size).toBe(vector.indices.length);
    expect(vector.indices).toEqual([...vector.indices].sort((a, b) => a - b));
    expect(vector.values).toHaveLength(vector.indices.length);
    expect(vector.values.every((value) => value > 0 && Number.isFinite(value))).toBe(true);
  });

  it("gives empty arrays without terms and refuses nonsensical parameters", () => {
    expect(bm25DocumentVector(tokenizeTerms("   the of !? "))).toEqual({ indices: [], values: [] });
    expect(() => bm25DocumentVector(["x"], { b: 2 })).toThrow(RangeError);
    expect(() => bm25DocumentVector(["x"], { averageLength: 0 })).toThrow(RangeError);
  });

  it("with b = 0 and k1 = 0 reduces to 1 per present term", () => {
    expect(bm25DocumentVector(["appl", "appl", "pear"], { k1: 0, b: 0 }).values).toEqual([1, 1]);
  });

  it("counts title terms with the text's (titles count)", () => {
    const vector = bm25DocumentVector(chunkIndexTerms({ text: "fermentation of grain", metadata: { title: "Zymurgy" } }));
    expect(vector.indices).toContain(fnv1a32("zymurgi"));
    expect(vector.indices).toContain(fnv1a32("ferment"));
  });
});

describe("bm25QueryVector", () => {
  it("meets the document side on the same indices, one value per distinct question term", () => {
    const query = bm25QueryVector(lexicalQueryTerms("What is zymurgy? Zymurgy!"));
    expect(query).toEqual({ indices: [fnv1a32("zymurgi")], values: [1] });
    const document = bm25DocumentVector(tokenizeTerms("brewing science is called zymurgy"));
    expect(document.indices).toContain(query.indices[0]);
  });

  it("carries each term's weight as its value, sums a repeated term and leaves out weight 0", () => {
    const query = bm25QueryVector([
      { term: "wombat", weight: 1 },
      { term: "burrow", weight: 0.25 },
      { term: "wombat", weight: 0.5 },
      { term: "numbat", weight: 0 },
    ]);
    const valueOf = (term: string) => query.values[query.indices.indexOf(fnv1a32(term))];
    expect(query.indices).toEqual([fnv1a32("wombat"), fnv1a32("burrow")].sort((a, b) => a - b));
    expect(valueOf("wombat")).toBe(1.5);
    expect(valueOf("burrow")).toBe(0.25);
    expect(bm25QueryVector([])).toEqual({ indices: [], values: [] });
  });
});
