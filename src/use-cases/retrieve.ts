import type { EmbeddingCache } from "./embedding-cache.js";
import { AppError } from "../core/errors.js";
import type { FusionSettings } from "../core/ranking/fuse-lists.js";
import { lexicalQueryTerms } from "../core/ranking/lexical-query.js";
import { rankCandidates, type Ranked } from "../core/ranking/rank-candidates.js";
import type { Candidate, CandidateLists, HitScores, SearchFilter, SearchHit, VectorStore } from "../ports/vector-store.js";
import { type Logger } from "../ports/logger.js";
import { noopTracer } from "../ports/tracer.js";
import { applyRerankStage, type RerankedEntry, type RerankReport, type RerankStageDeps, type StageCutReason } from "./rerank-stage.js";
import { candidatesWithExpansion, type QueryExpansion, type QueryExpansionSettings } from "./expand-query.js";

export type RetrievalStatus = "ok" | "empty" | "unavailable";

export interface RetrievalThresholds {
  topK: number;
  candidateK: number;
  /** Threshold on scores.relevance. */
  minScore: number;
  fusion: FusionSettings;
  /** The request's own min_score, if any: with a reranker it thresholds the reranker's score instead. */
  requestedMinScore?: number;
  /** RM3 query expansion (config retrieval.expansion); absent → off. */
  expansion?: QueryExpansionSettings;
}

/** One candidate as its retriever listed it: raw score and 1-based rank after sorting by that score. */
export interface ExplainedCandidate {
  chunkId: string;
  documentId: string;
  score: number;
  rank: number;
}

/** Why a fused candidate is not a hit. */
export type CutReason = StageCutReason;

/** Every stage of one retrieval, for `explain`. */
export interface RetrievalStages {
  dense: ExplainedCandidate[];
  lexical: ExplainedCandidate[];
  /** Whether the query was expanded, with which terms, and the first lexical pass when it was. */
  expansion: Omit<QueryExpansion, "firstLexical"> & { firstLexical: ExplainedCandidate[] | null };
  /** Every candidate in fused order, with its scores and whether (and why not) it became a hit. */
  fused: Array<{ hit: SearchHit; kept: boolean; reason: CutReason | null }>;
  /** With a reranker that answered: every reranked candidate in reranked order. */
  reranked?: Array<{ hit: SearchHit; fusedRank: number; kept: boolean; reason: CutReason | null }>;
}

export interface Retrieval {
  status: RetrievalStatus;
  hits: SearchHit[];
  /** Candidates the threshold removed (for `explain`). */
  cut: SearchHit[];
  thresholds: RetrievalThresholds;
  /** Each stage, when the store answered. */
  stages?: RetrievalStages;
  /** Why retrieval was unavailable; safe to show (no internals). */
  reason?: string;
  /** What the rerank stage did, when a reranker is configured and the store answered. */
  rerank?: RerankReport;
}

export interface RetrieveInput {
  tenant: string;
  question: string;
  thresholds: RetrievalThresholds;
  filter?: SearchFilter;
  signal?: AbortSignal;
}

export interface RetrieveDeps extends RerankStageDeps {
  embeddings: EmbeddingCache;
  store: VectorStore;
  logger?: Logger;
}

/**
 * Hybrid top-k retrieval for one tenant: embeds the question through the embedding cache, asks the
 * store for its dense and lexical candidate lists (`candidateK` each; with query expansion on, a second
 * lexical pass with feedback terms: candidatesWithExpansion), then ranks them in the core:
 * fusion as configured, the absolute threshold on the calibrated relevance, top-k and the cut list;
 * `stages` records each step. A store that fails or is unreachable is not an error here: the result
 * says `unavailable` so the caller can take the documented fallback. Bad requests (ValidationError…) stay errors.
 */
export async function retrieveChunks(deps: RetrieveDeps, input: RetrieveInput): Promise<Retrieval> {
  const { thresholds } = input;
  const tracer = deps.tracer ?? noopTracer;
  return tracer.span(
    "retrieval",
    { "ragline.tenant": input.tenant, "ragline.top_k": thresholds.topK, "ragline.candidate_k": thresholds.candidateK },
    async (span) => {
      const retrieval = await retrieveStages(deps, input);
      span.setAttributes({ "ragline.retrieval.status": retrieval.status, "ragline.hits": retrieval.hits.length });
      return retrieval;
    },
  );
}

async function retrieveStages(deps: RetrieveDeps, input: RetrieveInput): Promise<Retrieval> {
  const { thresholds } = input;
  const tracer = deps.tracer ?? noopTracer;
  const [dense] = await tracer.span("retrieval.embed_query", { "ragline.embedding.model": deps.embeddings.modelId }, () =>
    deps.embeddings.embed([input.question], { signal: input.signal, tenant: input.tenant }),
  );
  try {
    const request = {
      tenant: input.tenant,
      dense: dense as number[],
      lexicalTerms: lexicalQueryTerms(input.question),
      limit: thresholds.candidateK,
      filter: input.filter,
    };
    const { lists, expansion } = await tracer.span("retrieval.candidates", { "ragline.limit": request.limit }, async (span) => {
      const found = await candidatesWithExpansion(deps.store, request, thresholds.expansion, tracer);
      span.setAttributes({
        "ragline.candidates.dense": found.lists.dense.length,
        "ragline.candidates.lexical": found.lists.lexical.length,
        "ragline.expansion.applied": found.expansion.applied,
        "ragline.expansion.reason": found.expansion.reason,
      });
      return found;
    });
    // Fusion, the calibrated relevance and the threshold are one pure step of core/ranking.
    const fusedLists = await tracer.span("retrieval.fuse_and_threshold", { "ragline.min_score": thresholds.minScore }, (span) => {
      const result = rankCandidates(lists, { ...thresholds, question: input.question });
      span.setAttributes({ "ragline.fused": result.fused.length, "ragline.hits": result.hits.length, "ragline.cut": result.cut.length });
      return result;
    });
    const ranked = await applyRerankStage(deps, fusedLists, { ...input, thresholds });
    const hits = ranked.hits.map(toSearchHit);
    const kept = new Set(hits.map((hit) => hit.id));
    const stages: RetrievalStages = {
      ...explainLists(lists),
      expansion: { ...expansion, firstLexical: expansion.firstLexical && explainCandidates(expansion.firstLexical) },
      fused: ranked.fused.map((item) => {
        const hit = toSearchHit(item);
        const reason = kept.has(hit.id) ? null : ranked.reasonOf(item);
        return { hit, kept: reason === null, reason };
      }),
      ...(ranked.reranked ? { reranked: ranked.reranked.map(explainReranked) } : {}),
    };
    const rerank = ranked.report ? { rerank: ranked.report } : {};
    return { status: hits.length > 0 ? "ok" : "empty", hits, cut: ranked.cut.map(toSearchHit), thresholds, stages, ...rerank };
  } catch (error) {
    // Bad requests stay errors; only an unreachable, failing or timed-out store takes the fallback.
    if (error instanceof AppError && !error.transient) throw error;
    deps.logger?.warn({ error: (error as Error).message, store: deps.store.kind }, "vector store unavailable; answering without retrieval");
    return { status: "unavailable", hits: [], cut: [], thresholds, reason: "the document store could not be reached" };
  }
}

function explainLists(lists: CandidateLists): Pick<RetrievalStages, "dense" | "lexical"> {
  return { dense: explainCandidates(lists.dense), lexical: explainCandidates(lists.lexical) };
}

function explainCandidates(list: readonly Candidate[]): ExplainedCandidate[] {
  return [...list]
    .sort((a, b) => b.score - a.score)
    .map((candidate, index) => ({ chunkId: candidate.id, documentId: candidate.metadata.documentId, score: candidate.score, rank: index + 1 }));
}

function explainReranked({ item, fusedRank, kept, reason }: RerankedEntry<Candidate>) {
  return { hit: toSearchHit(item), fusedRank, kept, reason };
}

function toSearchHit({ candidate, scores }: Ranked<Candidate> & { scores: HitScores }): SearchHit {
  return { id: candidate.id, tenant: candidate.tenant, text: candidate.text, metadata: candidate.metadata, scores };
}
