import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { Embedder } from "../../../ports/embedder.js";
import { isStopword, stemWord, tokenizeWords } from "../../../core/text/text-tokens.js";

export interface LocalHashEmbedderOptions {
  /** Vector length; 512 by default. Changing it changes `modelId` (stores refuse to mix them). */
  dimension?: number;
}

/** Relative weight of each feature family in the final cosine (they sum to 1). */
const FAMILY_WEIGHTS = { unigram: 0.5, bigram: 0.1, characterNgram: 0.4 } as const;
const CHARACTER_NGRAM_MIN = 3;
const CHARACTER_NGRAM_MAX = 5;
/** Seeds keep the three families (and the fallback) in disjoint hash spaces. */
const UNIGRAM_SEED = 0x811c9dc5;
const BIGRAM_SEED = 0x5bd1e995;
const CHARACTER_NGRAM_SEED = 0x27d4eb2f;
const FALLBACK_SEED = 0x165667b1;
const MODEL_VERSION = "v1";

/** FNV-1a over code units [from, to) of `text`, continuing from `hash`. */
function fnv1a(hash: number, text: string, from = 0, to = text.length): number {
  let value = hash;
  for (let index = from; index < to; index++) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

/** murmur3's finaliser: a second, independent hash of the feature hash (bucket vs. sign). */
function mix32(input: number): number {
  let value = input;
  value ^= value >>> 16;
  value = Math.imul(value, 0x85ebca6b);
  value ^= value >>> 13;
  value = Math.imul(value, 0xc2b2ae35);
  value ^= value >>> 16;
  return value >>> 0;
}

/** Longest stretch one embed call keeps the event loop before giving it a turn. */
const SLICE_MS = 20;

function countFeature(counts: Map<number, number>, featureHash: number): void {
  counts.set(featureHash, (counts.get(featureHash) ?? 0) + 1);
}

/**
 * Offline, deterministic embedder: signed feature hashing of stemmed non-stopword unigrams, word
 * bigrams and character 3–5-grams of those words (with word-boundary marks), each with sublinear
 * term frequency (1 + ln tf). Each family is L2-normalised on its own and mixed by FAMILY_WEIGHTS,
 * so the cosine of two texts is a weighted average of per-family cosines; the result is L2-normalised.
 *
 * Text with words but only stopwords falls back to hashing those stopwords as unigrams; text with no
 * word at all (empty, punctuation) maps to one fixed unit vector, so every output is a valid unit
 * vector (never NaN) and empty texts are near-orthogonal to real ones.
 */
export class LocalHashEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimension: number;
  /** No endpoint limits: a call is a loop on this thread (yielding every SLICE_MS), so it takes any number of texts. */
  readonly maxInputsPerCall = 2048;
  readonly maxTokensPerCall = Number.POSITIVE_INFINITY;
  /** Embedding runs synchronously on the caller's thread: calls in flight at once run one after another. */
  readonly supportsParallelCalls = false;
  /** Reused per text (the class is synchronous inside embed, so no sharing between calls). */
  private readonly unigramCounts = new Map<number, number>();
  private readonly bigramCounts = new Map<number, number>();
  private readonly characterNgramCounts = new Map<number, number>();
  private readonly familyVector: Float64Array;
  private readonly mixedVector: Float64Array;

  constructor(options: LocalHashEmbedderOptions = {}) {
    const dimension = options.dimension ?? 512;
    if (!Number.isInteger(dimension) || dimension < 8) {
      throw new RangeError(`LocalHashEmbedder dimension must be an integer >= 8, got ${dimension}`);
    }
    this.dimension = dimension;
    this.modelId = `local-hash-${MODEL_VERSION}-d${dimension}`;
    this.familyVector = new Float64Array(dimension);
    this.mixedVector = new Float64Array(dimension);
  }

  /**
   * See the `Embedder` contract; rejects with the signal's reason when aborted. The work runs on the
   * caller's thread, so a long call gives the event loop a turn every SLICE_MS (a batch of 2,048 chunks
   * would otherwise hold it for seconds: health probes and queries wait behind it).
   */
  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<number[][]> {
    options.signal?.throwIfAborted();
    const vectors: number[][] = [];
    let sliceStarted = performance.now();
    for (const text of texts) {
      vectors.push(this.embedOne(text));
      if (performance.now() - sliceStarted > SLICE_MS) {
        await yieldToEventLoop();
        options.signal?.throwIfAborted();
        sliceStarted = performance.now();
      }
    }
    return vectors;
  }

  /** Synchronous form of `embed` for a single text (benchmarks and in-process callers). */
  embedOne(text: string): number[] {
    this.collectFeatures(text);
    this.mixedVector.fill(0);
    let anyFeature = false;
    anyFeature = this.addFamily(this.unigramCounts, FAMILY_WEIGHTS.unigram) || anyFeature;
    anyFeature = this.addFamily(this.bigramCounts, FAMILY_WEIGHTS.bigram) || anyFeature;
    anyFeature = this.addFamily(this.characterNgramCounts, FAMILY_WEIGHTS.characterNgram) || anyFeature;
    if (!anyFeature) {
      this.unigramCounts.set(fnv1a(FALLBACK_SEED, "\u0000empty"), 1);
      this.addFamily(this.unigramCounts, 1);
    }
    let squaredNorm = 0;
    for (let index = 0; index < this.dimension; index++) squaredNorm += this.mixedVector[index]! ** 2;
    const inverseNorm = 1 / Math.sqrt(squaredNorm);
    const result = new Array<number>(this.dimension);
    for (let index = 0; index < this.dimension; index++) result[index] = this.mixedVector[index]! * inverseNorm;
    return result;
  }

  private collectFeatures(text: string): void {
    this.unigramCounts.clear();
    this.bigramCounts.clear();
    this.characterNgramCounts.clear();
    const words = tokenizeWords(text);
    let previousTermHash: number | null = null;
    let contentWords = 0;
    for (const word of words) {
      if (isStopword(word)) continue;
      contentWords++;
      const term = stemWord(word);
      const termHash = fnv1a(UNIGRAM_SEED, term);
      countFeature(this.unigramCounts, termHash);
      // Bigrams skip over stopwords so "university of chicago" yields (university, chicago).
      if (previousTermHash !== null) countFeature(this.bigramCounts, mix32(previousTermHash ^ BIGRAM_SEED) ^ termHash);
      previousTermHash = termHash;
      this.collectCharacterNgrams(term);
    }
    if (contentWords === 0) {
      for (const word of words) countFeature(this.unigramCounts, fnv1a(UNIGRAM_SEED, word));
    }
  }

  /** Character n-grams of the stemmed term wrapped in boundary marks ("<", ">"), hashed in place. */
  private collectCharacterNgrams(term: string): void {
    const marked = `<${term}>`;
    for (let size = CHARACTER_NGRAM_MIN; size <= CHARACTER_NGRAM_MAX; size++) {
      for (let start = 0; start + size <= marked.length; start++) {
        countFeature(this.characterNgramCounts, fnv1a(CHARACTER_NGRAM_SEED, marked, start, start + size));
      }
    }
  }

  /** Hashes one family into `familyVector`, normalises it and adds it with weight √familyWeight; false when empty. */
  private addFamily(counts: Map<number, number>, familyWeight: number): boolean {
    if (counts.size === 0) return false;
    const vector = this.familyVector;
    vector.fill(0);
    for (const [featureHash, count] of counts) {
      const bucketHash = mix32(featureHash);
      const sign = mix32(featureHash ^ 0x9e3779b9) & 1 ? 1 : -1;
      vector[bucketHash % this.dimension]! += sign * (1 + Math.log(count));
    }
    let squaredNorm = 0;
    for (let index = 0; index < this.dimension; index++) squaredNorm += vector[index]! ** 2;
    if (squaredNorm === 0) return false;
    const scale = Math.sqrt(familyWeight / squaredNorm);
    for (let index = 0; index < this.dimension; index++) this.mixedVector[index]! += vector[index]! * scale;
    return true;
  }
}
