import { tokenizeTerms } from "../../../core/text/text-tokens.js";

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
 * Term counts of a text keyed by term index (`fnv1a32` of each retrieval term from `tokenizeTerms`:
 * stopwords dropped, stems kept). Terms whose hashes collide share one index and their counts add up.
 */
export function termCounts(text: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const term of tokenizeTerms(text)) {
    const index = fnv1a32(term);
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return counts;
}

/**
 * Document side of BM25 as a sparse vector: per term, the saturated term frequency
 * `tf·(k1+1) / (tf + k1·(1 − b + b·length/averageLength))`. The IDF factor is left to the engine
 * (Qdrant's `modifier: "idf"` computes it from the collection), so these values are only the TF part.
 * Indices are sorted ascending; a text without terms gives empty arrays. Pure and deterministic.
 */
export function bm25DocumentVector(text: string, options: Bm25DocumentOptions = {}): SparseVector {
  const k1 = options.k1 ?? 1.2;
  const b = options.b ?? 0.75;
  const averageLength = options.averageLength ?? 150;
  if (!(k1 >= 0) || !(b >= 0 && b <= 1) || !(averageLength > 0)) {
    throw new RangeError("BM25 options need k1 >= 0, b in [0, 1] and averageLength > 0");
  }
  const counts = termCounts(text);
  let length = 0;
  for (const count of counts.values()) length += count;
  const lengthNorm = 1 - b + (b * length) / averageLength;
  const indices = [...counts.keys()].sort((left, right) => left - right);
  const values = indices.map((index) => {
    const frequency = counts.get(index)!;
    return (frequency * (k1 + 1)) / (frequency + k1 * lengthNorm);
  });
  return { indices, values };
}

/**
 * Query side of BM25 as a sparse vector: value 1 per distinct term (repeating a word in a question
 * does not weigh it more), so the engine's score is the sum over shared terms of IDF × document TF.
 * Indices are sorted ascending; a text without terms gives empty arrays.
 */
export function bm25QueryVector(text: string): SparseVector {
  const indices = [...termCounts(text).keys()].sort((left, right) => left - right);
  return { indices, values: indices.map(() => 1) };
}
