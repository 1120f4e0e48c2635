import type { DocumentRecord } from "../ports/document-repository.js";
import type { Job } from "../ports/job-queue.js";
import type { IngestJobData } from "../use-cases/ingest-job.js";
import type { SearchHit } from "../ports/vector-store.js";
import type { Citation } from "../ports/answerer.js";
import type { QueryResult } from "../use-cases/answer-query.js";
import type { Retrieval, RetrievalStages } from "../use-cases/retrieve.js";
import type { z } from "@hono/zod-openapi";
import type { documentSchema, jobSchema } from "./document-schemas.js";
import type { citationSchema, explainSchema, hitSchema, queryResponseSchema, rerankReportSchema, retrievalSchema, usageSchema } from "./query-schemas.js";
import type { RerankReport } from "../use-cases/rerank-stage.js";

/** Wire shapes (snake_case JSON) of the domain objects. */
export function documentJson(record: DocumentRecord): z.infer<typeof documentSchema> {
  return {
    id: record.id,
    title: record.title,
    source: record.source,
    media_type: record.mediaType,
    status: record.status,
    chunk_count: record.chunkCount,
    content_hash: record.contentHash,
    byte_size: record.byteSize,
    revision: record.revision,
    metadata: record.metadata,
    job_id: record.jobId,
    error: record.error,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    indexed_at: record.indexedAt,
  };
}

export function jobJson(job: Job<IngestJobData>): z.infer<typeof jobSchema> {
  return {
    id: job.id,
    document_id: job.data.documentId,
    revision: job.data.revision,
    state: job.state,
    progress: job.progress,
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    error: job.error,
    created_at: job.createdAt,
    updated_at: job.updatedAt,
    finished_at: job.finishedAt,
  };
}

export function hitJson(hit: SearchHit): z.infer<typeof hitSchema> {
  return {
    document_id: hit.metadata.documentId,
    chunk_id: hit.id,
    score: hit.scores.rerank ?? hit.scores.fused,
    scores: {
      dense: hit.scores.dense,
      text: hit.scores.text,
      fused: hit.scores.fused,
      relevance: hit.scores.relevance,
      dense_rank: hit.scores.denseRank,
      text_rank: hit.scores.textRank,
      ...(hit.scores.rerank !== undefined ? { rerank: hit.scores.rerank } : {}),
    },
    text: hit.text,
    metadata: {
      title: hit.metadata.title,
      source: hit.metadata.source,
      chunk_index: hit.metadata.chunkIndex,
      start: hit.metadata.start,
      end: hit.metadata.end,
      heading_path: hit.metadata.headingPath,
      page: hit.metadata.page,
      content_hash: hit.metadata.contentHash,
      embedding_model: hit.metadata.embeddingModel,
    },
  };
}

export function retrievalJson(retrieval: Retrieval, options: { explain: boolean }): z.infer<typeof retrievalSchema> {
  const fusion = retrieval.thresholds.fusion;
  const reranked = retrieval.rerank?.status === "ok";
  return {
    status: retrieval.status,
    hits: retrieval.hits.map(hitJson),
    thresholds: {
      top_k: retrieval.thresholds.topK,
      candidate_k: retrieval.thresholds.candidateK,
      min_score: reranked ? retrieval.rerank!.minScore : retrieval.thresholds.minScore,
      min_score_applies_to: reranked ? "scores.rerank" : "scores.relevance",
      fusion: { method: fusion.method, weights: { ...fusion.weights }, rrf_k: fusion.rrfK },
    },
    ...(retrieval.reason ? { reason: retrieval.reason } : {}),
    ...(retrieval.rerank ? { rerank: rerankReportJson(retrieval.rerank) } : {}),
    ...(options.explain ? { cut: retrieval.cut.map(hitJson) } : {}),
    ...(options.explain && retrieval.stages ? { explain: explainJson(retrieval.stages) } : {}),
  };
}

function explainJson(stages: RetrievalStages): z.infer<typeof explainSchema> {
  const candidates = (list: RetrievalStages["dense"]) =>
    list.map((item) => ({ chunk_id: item.chunkId, document_id: item.documentId, score: item.score, rank: item.rank }));
  return {
    dense: candidates(stages.dense),
    lexical: candidates(stages.lexical),
    expansion: {
      mode: stages.expansion.mode,
      applied: stages.expansion.applied,
      reason: stages.expansion.reason,
      terms: stages.expansion.terms.map(({ term, weight, fromQuestion }) => ({ term, weight, from_question: fromQuestion })),
      first_lexical: stages.expansion.firstLexical && candidates(stages.expansion.firstLexical),
    },
    fused: stages.fused.map(({ hit, kept, reason }) => ({
      chunk_id: hit.id,
      document_id: hit.metadata.documentId,
      fused: hit.scores.fused,
      relevance: hit.scores.relevance,
      relevance_parts: hit.scores.relevanceParts ?? null,
      dense_rank: hit.scores.denseRank,
      text_rank: hit.scores.textRank,
      kept,
      reason,
    })),
    ...(stages.reranked
      ? {
          reranked: stages.reranked.map(({ hit, fusedRank, kept, reason }) => ({
            chunk_id: hit.id,
            document_id: hit.metadata.documentId,
            rerank: hit.scores.rerank ?? 0,
            fused_rank: fusedRank,
            kept,
            reason,
          })),
        }
      : {}),
  };
}

function rerankReportJson(report: RerankReport): z.infer<typeof rerankReportSchema> {
  return {
    status: report.status,
    model: report.model,
    candidates: report.candidates,
    min_score: report.minScore,
    ...(report.reason ? { reason: report.reason } : {}),
  };
}

export function citationJson(citation: Citation): z.infer<typeof citationSchema> {
  return {
    n: citation.n,
    document_id: citation.documentId,
    chunk_id: citation.chunkId,
    start: citation.start,
    end: citation.end,
    score: citation.score,
    snippet: citation.snippet,
  };
}

/** Token usage of the answer (all model attempts summed), its estimated cost, and what produced it. */
export function usageJson(result: QueryResult): z.infer<typeof usageSchema> {
  return {
    input_tokens: result.usage.inputTokens,
    output_tokens: result.usage.outputTokens,
    cached_tokens: result.usage.cachedTokens,
    cost_usd: result.usage.costUsd,
    model: result.model,
    prompt_version: result.promptVersion,
  };
}

export function queryJson(result: QueryResult, options: { explain: boolean }): z.infer<typeof queryResponseSchema> {
  return {
    answer_status: result.answerStatus,
    answer: result.answer,
    citations: result.citations.map(citationJson),
    retrieval: retrievalJson(result.retrieval, options),
    prompt_version: result.promptVersion,
    model: result.model,
    usage: usageJson(result),
    cached: result.cached,
    degraded: result.degraded,
    review: result.review ? { needed: result.review.needed, score: result.review.score, reasons: result.review.reasons } : null,
    judge_version: result.judgeVersion,
    examples: result.examples,
  };
}
