import type { WeightedTerm } from "../../../ports/vector-store.js";

/** A sparse vector as Qdrant takes it: unique indices, one value each, same order. */
export interface SparseVector {
  indices: number[];
  values: number[];
}

export interface Bm25DocumentOptions {
  /** Term-frequency saturation; 0 turns the value into 1 per present term. Default 1.2. */
  k1?: number;
  /** Length normalisation in [0, 1]; 0 ignores document length. Default 0.75. */
  b?: number;
  /** Typical document length in terms (the corpus average is unknown client-side). Default 150. */
  averageLength?: number;
}

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

/** 32-bit FNV-1a hash of the UTF-8 bytes of `text`, as an unsigned integer (stable across runs and platforms). */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/**
 * Term counts keyed by term index (`fnv1a32` of each term, as core/text produced it: the caller passes
 * `chunkIndexTerms`). Terms whose hashes collide share one index and their counts add up.
 */
export function termCounts(terms: readonly string[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const term of terms) {
    const index = fnv1a32(term);
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return counts;
}

/**
 * Document side of BM25 as a sparse vector: per term, the saturated term frequency
 * `tf·(k1+1) / (tf + k1·(1 − b + b·length/averageLength))`, length being the number of terms. The IDF
 * factor is left to the engine (Qdrant's `modifier: "idf"` computes it from the collection), so these
 * values are only the TF part. Indices are sorted ascending; no terms give empty arrays. Pure.
 */
export function bm25DocumentVector(terms: readonly string[], options: Bm25DocumentOptions = {}): SparseVector {
  const k1 = options.k1 ?? 1.2;
  const b = options.b ?? 0.75;
  const averageLength = options.averageLength ?? 150;
  if (!(k1 >= 0) || !(b >= 0 && b <= 1) || !(averageLength > 0)) {
    throw new RangeError("BM25 options need k1 >= 0, b in [0, 1] and averageLength > 0");
  }
  const counts = termCounts(terms);
  const lengthNorm = 1 - b + (b * terms.length) / averageLength;
  const indices = [...counts.keys()].sort((left, right) => left - right);
  const values = indices.map((index) => {
    const frequency = counts.get(index)!;
    return (frequency * (k1 + 1)) / (frequency + k1 * lengthNorm);
  });
  return { indices, values };
}

/**
 * Query side of BM25 as a sparse vector: each term's value is its weight (weights of terms sharing an
 * index add up; an index whose weights sum to 0 is left out), so the engine's score is the sum over
 * shared terms of weight × IDF × document TF. Indices are sorted ascending; no terms give empty arrays.
 */
export function bm25QueryVector(terms: readonly WeightedTerm[]): SparseVector {
  const weights = new Map<number, number>();
  for (const { term, weight } of terms) {
    const index = fnv1a32(term);
    weights.set(index, (weights.get(index) ?? 0) + weight);
  }
  const indices = [...weights.keys()].filter((index) => weights.get(index)! > 0).sort((left, right) => left - right);
  return { indices, values: indices.map((index) => weights.get(index)!) };
}
