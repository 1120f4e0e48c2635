/** Graded relevance judgements of one query: document id → grade (> 0 relevant; 0 or below judged not relevant). */
export type Judgements = ReadonlyMap<string, number>;

/** One retrieved document with the score a system gave it. */
export interface ScoredDocument {
  id: string;
  score: number;
}

export interface RetrievalMetrics {
  ndcgAt10: number;
  recallAt10: number;
  recallAt100: number;
  mrrAt10: number;
}

/**
 * The order trec_eval (and so pytrec_eval and BEIR) evaluates a scored run in: score descending, ties
 * by document id descending (code-unit order, which is strcmp's for ASCII ids).
 *
 * Contract: pure; returns ids only. Throws RangeError on a non-finite score or a repeated id (trec_eval
 * refuses duplicate documents too).
 */
export function trecEvalOrder(run: readonly ScoredDocument[]): string[] {
  const seen = new Set<string>();
  for (const { id, score } of run) {
    if (!Number.isFinite(score)) throw new RangeError(`score of ${id} is not finite`);
    if (seen.has(id)) throw new RangeError(`document ${id} appears twice in the run`);
    seen.add(id);
  }
  return [...run].sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((document) => document.id);
}

/** The distinct ids of `ids` in order of first appearance (chunks → the documents they belong to). */
export function firstOccurrences(ids: Iterable<string>): string[] {
  return [...new Set(ids)];
}

const gradeOf = (judgements: Judgements, id: string): number => Math.max(0, judgements.get(id) ?? 0);
const relevantCount = (judgements: Judgements): number => [...judgements.values()].filter((grade) => grade > 0).length;
const topDistinct = (ranking: readonly string[], k: number): string[] => firstOccurrences(ranking).slice(0, k);

/**
 * nDCG@k with linear gain, as trec_eval's `ndcg_cut.k` (and BEIR): DCG = Σ grade / log2(rank + 1) over
 * the first k documents of `ranking` (best first; a repeated id counts at its first position only;
 * unjudged documents gain 0); the ideal DCG orders every judged document with grade > 0 by grade.
 * 0 when the query has no relevant document.
 */
export function ndcgAt(ranking: readonly string[], judgements: Judgements, k: number): number {
  const dcg = topDistinct(ranking, k).reduce((sum, id, index) => sum + gradeOf(judgements, id) / Math.log2(index + 2), 0);
  const ideal = [...judgements.values()]
    .filter((grade) => grade > 0)
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((sum, grade, index) => sum + grade / Math.log2(index + 2), 0);
  return ideal === 0 ? 0 : dcg / ideal;
}

/** Share of the query's relevant documents (grade > 0) among the first k distinct documents of `ranking`, as trec_eval's `recall.k`; 0 without relevant documents. */
export function recallAt(ranking: readonly string[], judgements: Judgements, k: number): number {
  const relevant = relevantCount(judgements);
  if (relevant === 0) return 0;
  return topDistinct(ranking, k).filter((id) => gradeOf(judgements, id) > 0).length / relevant;
}

/** 1 / rank of the first relevant document (grade > 0) among the first k distinct documents, else 0 (BEIR's MRR@k). */
export function reciprocalRankAt(ranking: readonly string[], judgements: Judgements, k: number): number {
  const position = topDistinct(ranking, k).findIndex((id) => gradeOf(judgements, id) > 0);
  return position < 0 ? 0 : 1 / (position + 1);
}

/** nDCG@10, recall@10, recall@100 and MRR@10 of one query's ranking (best first). */
export function retrievalMetrics(ranking: readonly string[], judgements: Judgements): RetrievalMetrics {
  return {
    ndcgAt10: ndcgAt(ranking, judgements, 10),
    recallAt10: recallAt(ranking, judgements, 10),
    recallAt100: recallAt(ranking, judgements, 100),
    mrrAt10: reciprocalRankAt(ranking, judgements, 10),
  };
}
