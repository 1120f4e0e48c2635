import type { Ranked } from "../core/ranking/rank-candidates.js";
import { AppError } from "../core/errors.js";
import type { Logger } from "../ports/logger.js";
import type { Reranker } from "../ports/reranker.js";
import type { HitScores } from "../ports/vector-store.js";
import { noopTracer, type Tracer } from "../ports/tracer.js";

/** The live rerank settings of one query (config `retrieval.reranker`, hot-reloaded), or none. */
export interface RerankStageSettings {
  reranker: Reranker;
  /** Fused candidates sent to the reranker, best fused first. */
  candidates: number;
  /** Threshold on the reranker's score. */
  minScore: number;
}

export interface RerankStageDeps {
  /** Read on every query; null or absent → no rerank stage. */
  reranking?: () => RerankStageSettings | null;
  logger?: Logger;
  /** Spans for the retrieval stages; absent → none. */
  tracer?: Tracer;
}

/** Why a fused candidate is not a hit. `not_reranked`: beyond the candidates sent to the reranker. */
export type StageCutReason = "below_min_score" | "beyond_top_k" | "not_reranked";

/**
 * What the rerank stage did. `ok`: the reranked order is the order and `minScore` applies to the
 * reranker's score; `degraded`: the reranker failed or was too slow, so the fused order and the
 * relevance threshold stand (`reason` says why); `skipped`: no candidate to rerank.
 */
export interface RerankReport {
  status: "ok" | "degraded" | "skipped";
  model: string;
  /** Candidates sent (or that would have been sent) to the reranker. */
  candidates: number;
  minScore: number;
  reason?: string;
}

/** A ranked candidate whose scores may include the reranker's. */
export type Scored<C> = Ranked<C> & { scores: HitScores };

/** One reranked candidate, in reranked order, for `explain`. */
export interface RerankedEntry<C> {
  item: Scored<C>;
  /** 1-based position in the fused order. */
  fusedRank: number;
  kept: boolean;
  reason: StageCutReason | null;
}

interface RankedLists<C> {
  hits: Array<Ranked<C>>;
  cut: Array<Ranked<C>>;
  fused: Array<Ranked<C>>;
}

export interface RerankStageResult<C> {
  /** Hits best first (reranked order when the stage ran), and the threshold's cut. */
  hits: Array<Scored<C>>;
  cut: Array<Scored<C>>;
  /** Every candidate in fused order. */
  fused: Array<Ranked<C>>;
  /** Why a fused candidate is not a hit (null for a hit). */
  reasonOf(item: Ranked<C>): StageCutReason | null;
  /** Null when no reranker is configured. */
  report: RerankReport | null;
  /** Every reranked candidate in reranked order; null unless the stage ran (`ok`). */
  reranked: Array<RerankedEntry<C>> | null;
}

export interface RerankStageInput {
  question: string;
  tenant: string;
  thresholds: { topK: number; candidateK: number; minScore: number; requestedMinScore?: number };
  signal?: AbortSignal;
}

type RerankableCandidate = { id: string; text?: string; metadata?: { title?: string } };

/**
 * The optional rerank stage between fusion and the threshold. Without a reranker the ranked lists
 * pass through untouched. With one, the first `candidates` fused candidates are scored (title and
 * text, one call); the reranked order (score descending, fused order on ties) is the order, the
 * threshold (the request's `min_score`, else the reranker's `minScore`) applies to the reranker's
 * score, and hits are the first `topK` that pass. A reranker that fails, times out or has its
 * breaker open is never an error here: the fused lists stand and the report says `degraded` and why.
 */
export async function applyRerankStage<C extends RerankableCandidate>(
  deps: RerankStageDeps,
  ranked: RankedLists<C>,
  input: RerankStageInput,
): Promise<RerankStageResult<C>> {
  const settings = deps.reranking?.() ?? null;
  if (settings === null) return rerankStage(deps, settings, ranked, input);
  // Traced only when a reranker is configured: the span says what the stage did (status, model, candidates, hits).
  return (deps.tracer ?? noopTracer).span("retrieval.rerank", { "ragline.rerank.model": settings.reranker.modelId }, async (span) => {
    const result = await rerankStage(deps, settings, ranked, input);
    span.setAttributes({
      "ragline.rerank.status": result.report?.status,
      "ragline.rerank.candidates": result.report?.candidates,
      "ragline.rerank.min_score": result.report?.minScore,
      "ragline.hits": result.hits.length,
    });
    return result;
  });
}

async function rerankStage<C extends RerankableCandidate>(
  deps: RerankStageDeps,
  settings: RerankStageSettings | null,
  ranked: RankedLists<C>,
  input: RerankStageInput,
): Promise<RerankStageResult<C>> {
  const hitIds = new Set(ranked.hits.map((item) => item.candidate.id));
  const fusedOutcome = (report: RerankReport | null): RerankStageResult<C> => ({
    ...ranked,
    reasonOf: (item) => (hitIds.has(item.candidate.id) ? null : item.scores.relevance < input.thresholds.minScore ? "below_min_score" : "beyond_top_k"),
    report,
    reranked: null,
  });
  if (settings === null) return fusedOutcome(null);

  const minScore = input.thresholds.requestedMinScore ?? settings.minScore;
  const window = ranked.fused.slice(0, settings.candidates);
  const report = { model: settings.reranker.modelId, candidates: window.length, minScore };
  if (window.length === 0) return fusedOutcome({ status: "skipped", ...report });

  let scores: number[];
  try {
    ({ scores } = await settings.reranker.rerank(input.question, window.map(rerankDocument), { signal: input.signal, tenant: input.tenant }));
  } catch (error) {
    // A caller that left gets the fused lists too: nothing is sent, and the store is not blamed.
    const reason = input.signal?.aborted ? "the request was cancelled" : error instanceof AppError ? error.message : "the reranker failed";
    deps.logger?.warn({ reason, model: report.model }, "reranker unavailable; keeping the fused order");
    return fusedOutcome({ status: "degraded", ...report, reason });
  }

  const entries = window
    .map((item, index) => ({ item: { ...item, scores: { ...item.scores, rerank: scores[index]! } }, fusedRank: index + 1 }))
    .sort((left, right) => right.item.scores.rerank - left.item.scores.rerank || left.fusedRank - right.fusedRank);
  const passing = entries.filter((entry) => entry.item.scores.rerank >= minScore);
  const hits = passing.slice(0, input.thresholds.topK).map((entry) => entry.item);
  const keptIds = new Set(hits.map((item) => item.candidate.id));
  const rerankedIds = new Map(entries.map((entry) => [entry.item.candidate.id, entry.item.scores.rerank]));
  const reasonOf = (item: Ranked<C>): StageCutReason | null => {
    if (keptIds.has(item.candidate.id)) return null;
    const score = rerankedIds.get(item.candidate.id);
    if (score === undefined) return "not_reranked";
    return score < minScore ? "below_min_score" : "beyond_top_k";
  };
  return {
    hits,
    cut: entries
      .filter((entry) => entry.item.scores.rerank < minScore)
      .slice(0, input.thresholds.candidateK)
      .map((entry) => entry.item),
    fused: ranked.fused,
    reasonOf,
    report: { status: "ok", ...report },
    reranked: entries.map((entry) => ({ ...entry, kept: keptIds.has(entry.item.candidate.id), reason: reasonOf(entry.item) })),
  };
}

/** What the reranker reads: the title (when there is one) over the chunk text, as the relevance counts titles too. */
function rerankDocument(item: Ranked<RerankableCandidate>): string {
  const title = item.candidate.metadata?.title?.trim();
  const text = item.candidate.text ?? "";
  return title ? `${title}\n\n${text}` : text;
}
