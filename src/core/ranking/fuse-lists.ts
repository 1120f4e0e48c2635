import { DEFAULT_RECIPROCAL_RANK_FUSION_K, reciprocalRankFusion } from "./reciprocal-rank-fusion.js";

/** How the dense and lexical lists are combined into one order. */
export const FUSION_METHODS = ["rrf", "weighted-rrf", "convex"] as const;
export type FusionMethod = (typeof FUSION_METHODS)[number];

export interface FusionSettings {
  /** `rrf`: plain reciprocal rank fusion (weights ignored); `weighted-rrf`: weight / (rrfK + rank) per list; `convex`: weighted sum of min–max normalised scores. */
  method: FusionMethod;
  /** Non-negative weight per retriever. */
  weights: { dense: number; lexical: number };
  /** Reciprocal-rank-fusion constant (rrf and weighted-rrf). */
  rrfK: number;
}

/** Plain RRF with equal weights: the order before fusion became configurable. */
export const PLAIN_RRF: FusionSettings = { method: "rrf", weights: { dense: 1, lexical: 1 }, rrfK: DEFAULT_RECIPROCAL_RANK_FUSION_K };

/**
 * Default fusion per embedding provider. The local hashed embedder (no semantics) only breaks
 * near-ties of the lexical order: a small dense weight and a small rrfK keep the BM25 top ranks
 * apart (chosen with the eval harness, eval/RESULTS.md). OpenAI-compatible embedders are not
 * measured here: equal weights with the customary rrfK 60.
 */
export const FUSION_DEFAULTS: Readonly<Record<"local" | "openai", FusionSettings>> = {
  local: { method: "weighted-rrf", weights: { dense: 0.05, lexical: 0.95 }, rrfK: 5 },
  openai: { method: "weighted-rrf", weights: { dense: 1, lexical: 1 }, rrfK: DEFAULT_RECIPROCAL_RANK_FUSION_K },
};

/** Configured fusion with every unset (null) field taken from the embedding provider's default. */
export function resolveFusion(
  configured: { method: FusionMethod | null; weights: FusionSettings["weights"] | null; rrfK: number | null },
  embeddingProvider: keyof typeof FUSION_DEFAULTS,
): FusionSettings {
  const defaults = FUSION_DEFAULTS[embeddingProvider];
  return { method: configured.method ?? defaults.method, weights: configured.weights ?? defaults.weights, rrfK: configured.rrfK ?? defaults.rrfK };
}

/** One list as fusion reads it: ids best first, and each id's raw score. */
export interface ScoredList {
  ids: readonly string[];
  scores: ReadonlyMap<string, number>;
}

export interface FusedEntry {
  id: string;
  /** The fusion score the order is sorted by; only comparable within one query's result. */
  score: number;
  /** 1-based rank in the dense and lexical list, null when absent. */
  denseRank: number | null;
  lexicalRank: number | null;
}

/**
 * Fuses the dense and lexical lists of one query.
 *
 * Contract: pure and deterministic; each id of either list appears once, best first. `rrf` and
 * `weighted-rrf` score weight / (rrfK + rank) summed over lists (ties as `reciprocalRankFusion`).
 * `convex` scores weights.dense · minmax(dense) + weights.lexical · minmax(lexical), each list min–max
 * normalised over its own scores (a constant list counts 1, an id absent from a list 0), so the score
 * orders but is never a threshold; ties go to the better best rank, then to first seen.
 * `dense.scores` may hold scores of ids outside `dense.ids` (exact cosine of lexical-only candidates);
 * convex normalises and uses them too. Throws RangeError for negative or non-finite weights or rrfK.
 */
export function fuseLists(dense: ScoredList, lexical: ScoredList, settings: FusionSettings): FusedEntry[] {
  const weights = settings.method === "rrf" ? [1, 1] : [settings.weights.dense, settings.weights.lexical];
  if (weights.some((weight) => !Number.isFinite(weight) || weight < 0)) throw new RangeError("fusion weights must be finite and >= 0");
  if (settings.method !== "convex") {
    return reciprocalRankFusion([dense.ids, lexical.ids], { k: settings.rrfK, weights }).map((item) => ({
      id: item.key,
      score: item.score,
      denseRank: item.ranks[0] ?? null,
      lexicalRank: item.ranks[1] ?? null,
    }));
  }
  const ranks = reciprocalRankFusion([dense.ids, lexical.ids], { k: 0 });
  const denseNorm = minMax(dense.scores);
  const lexicalNorm = minMax(lexical.scores);
  return ranks
    .map((item, seen) => ({
      id: item.key,
      score: weights[0]! * (denseNorm.get(item.key) ?? 0) + weights[1]! * (item.ranks[1] === null ? 0 : (lexicalNorm.get(item.key) ?? 0)),
      denseRank: item.ranks[0] ?? null,
      lexicalRank: item.ranks[1] ?? null,
      bestRank: Math.min(item.ranks[0] ?? Infinity, item.ranks[1] ?? Infinity),
      seen,
    }))
    .sort((a, b) => b.score - a.score || a.bestRank - b.bestRank || a.seen - b.seen)
    .map(({ id, score, denseRank, lexicalRank }) => ({ id, score, denseRank, lexicalRank }));
}

function minMax(scores: ReadonlyMap<string, number>): Map<string, number> {
  let low = Infinity;
  let high = -Infinity;
  for (const value of scores.values()) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  const span = high - low;
  return new Map([...scores].map(([id, value]) => [id, span > 0 ? (value - low) / span : 1]));
}
