/** Default RRF constant from Cormack et al. (2009); dampens the weight of the very first ranks. */
export const DEFAULT_RECIPROCAL_RANK_FUSION_K = 60;

export interface ReciprocalRankFusionOptions {
  /** Smoothing constant added to every rank; finite and >= 0. Default 60. */
  k?: number;
  /** One non-negative weight per list (default 1 each); a list's contribution is weight / (k + rank). */
  weights?: readonly number[];
}

export interface FusedItem<Key> {
  key: Key;
  /** Sum over lists of weight / (k + rank). */
  score: number;
  /** 1-based rank of the key in each input list (same order as the input), null when absent. */
  ranks: Array<number | null>;
}

/**
 * Reciprocal rank fusion of ranked lists (best first) of keys compared with `===`.
 *
 * Contract: pure and deterministic. Every key that appears in at least one list appears once in the
 * result, sorted by fused score descending; ties go to the key with the better (smaller) best rank,
 * then to the key seen first (list order, then position). A key repeated inside one list counts at
 * its first (best) position only. Throws RangeError for a negative or non-finite `k`, or when
 * `weights` does not hold one finite non-negative number per list.
 */
export function reciprocalRankFusion<Key>(rankedLists: ReadonlyArray<ReadonlyArray<Key>>, options: ReciprocalRankFusionOptions = {}): Array<FusedItem<Key>> {
  const k = options.k ?? DEFAULT_RECIPROCAL_RANK_FUSION_K;
  if (!Number.isFinite(k) || k < 0) throw new RangeError(`RRF k must be a finite number >= 0, got ${k}`);
  const weights = options.weights ?? rankedLists.map(() => 1);
  if (weights.length !== rankedLists.length || weights.some((weight) => !Number.isFinite(weight) || weight < 0)) {
    throw new RangeError("RRF weights must hold one finite, non-negative number per ranked list");
  }

  const fused = new Map<Key, FusedItem<Key> & { bestRank: number; firstSeen: number }>();
  let seen = 0;
  rankedLists.forEach((list, listIndex) => {
    const weight = weights[listIndex] ?? 1;
    list.forEach((key, position) => {
      let item = fused.get(key);
      if (!item) {
        item = { key, score: 0, ranks: rankedLists.map(() => null), bestRank: Infinity, firstSeen: seen++ };
        fused.set(key, item);
      }
      if (item.ranks[listIndex] !== null) return;
      const rank = position + 1;
      item.ranks[listIndex] = rank;
      item.score += weight / (k + rank);
      item.bestRank = Math.min(item.bestRank, rank);
    });
  });

  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.bestRank - b.bestRank || a.firstSeen - b.firstSeen)
    .map(({ key, score, ranks }) => ({ key, score, ranks }));
}
