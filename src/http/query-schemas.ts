import { z } from "@hono/zod-openapi";
import { documentIdSchema } from "./read-uploads.js";
import { EXPANSION_MODES } from "../core/ranking/expansion-gate.js";

/** Body of `POST /v1/query`. */
export const queryRequestSchema = z
  .strictObject({
    question: z.string().trim().min(1, "must not be empty").max(4000),
    top_k: z.number().int().min(1).optional().openapi({ description: "Hits to return; at most retrieval.maxTopK" }),
    min_score: z.number().min(-1).max(1).optional().openapi({
      description:
        "Threshold on scores.relevance (calibrated, 0–1; at least retrieval.minScoreFloor), or on scores.rerank when a reranker ordered the hits (retrieval.thresholds.min_score_applies_to)",
    }),
    filter: z
      .strictObject({
        document_ids: z.array(documentIdSchema).min(1).max(1000).optional(),
        sources: z.array(z.string().min(1).max(512)).min(1).max(100).optional(),
      })
      .optional()
      .openapi({ description: "Restricts retrieval beyond the tenant (which always applies)" }),
    mode: z.enum(["answer", "retrieve"]).default("answer").openapi({ description: "`retrieve`: hits only, no answer" }),
    explain: z
      .boolean()
      .default(false)
      .openapi({ description: "Also return each stage: every retriever's candidates with raw scores, the fused order, what the threshold cut and why" }),
    stream: z.boolean().default(false).openapi({ description: "Answer as Server-Sent Events (text/event-stream)" }),
  })
  .openapi("QueryRequest");

export const hitSchema = z
  .object({
    document_id: z.string(),
    chunk_id: z.string(),
    score: z.number().openapi({ description: "The score the hits are ordered by: scores.rerank when a reranker ordered them, else scores.fused" }),
    scores: z.object({
      dense: z.number(),
      text: z.number().nullable(),
      fused: z.number().openapi({ description: "Fusion score the hits are ordered by; comparable within one response only" }),
      relevance: z.number().openapi({ description: "Calibrated relevance (0–1) the min_score threshold applies to" }),
      dense_rank: z.number().int().nullable(),
      text_rank: z.number().int().nullable(),
      rerank: z.number().optional().openapi({ description: "The reranker's score (its own scale), when a reranker ordered the hits" }),
    }),
    text: z.string(),
    metadata: z.object({
      title: z.string(),
      source: z.string(),
      chunk_index: z.number().int(),
      start: z.number().int(),
      end: z.number().int(),
      heading_path: z.array(z.string()),
      page: z.number().int().nullable(),
      content_hash: z.string(),
      embedding_model: z.string(),
    }),
  })
  .openapi("Hit");

const cutReasonSchema = z
  .enum(["below_min_score", "beyond_top_k", "not_reranked"])
  .nullable()
  .openapi({ description: "Why a candidate is not a hit (`not_reranked`: beyond the candidates sent to the reranker); null for a hit" });

export const rerankReportSchema = z
  .object({
    status: z.enum(["ok", "degraded", "skipped"]).openapi({
      description:
        "`ok`: the reranked order is the order and min_score applies to scores.rerank; `degraded`: the reranker failed or was too slow, the fused order and the relevance threshold stand; `skipped`: nothing to rerank",
    }),
    model: z.string(),
    candidates: z.number().int().openapi({ description: "Fused candidates sent to the reranker" }),
    min_score: z.number().openapi({ description: "Threshold on the reranker's score" }),
    reason: z.string().optional().openapi({ description: "Why the stage degraded" }),
  })
  .openapi("RerankReport");

const explainedCandidateSchema = z.object({ chunk_id: z.string(), document_id: z.string(), score: z.number(), rank: z.number().int() });

export const explainSchema = z
  .object({
    dense: z.array(explainedCandidateSchema).openapi({ description: "The dense retriever's candidates by raw cosine" }),
    lexical: z.array(explainedCandidateSchema).openapi({ description: "The lexical retriever's candidates by raw BM25" }),
    expansion: z
      .object({
        mode: z.enum(EXPANSION_MODES),
        applied: z.boolean().openapi({ description: "Whether the lexical list above comes from the expanded query" }),
        reason: z
          .enum(["off", "always", "short_query", "long_query", "no_query_terms", "no_feedback", "second_pass_failed"])
          .openapi({ description: "Why the query was (`always`, `short_query`) or was not expanded" }),
        terms: z
          .array(z.object({ term: z.string(), weight: z.number(), from_question: z.boolean() }))
          .openapi({ description: "The lexical query (analysed terms and weights); feedback terms have from_question false" }),
        first_lexical: z
          .array(explainedCandidateSchema)
          .nullable()
          .openapi({ description: "When applied: the first lexical pass, whose best candidates gave the feedback terms" }),
      })
      .openapi({ description: "RM3 query expansion (retrieval.expansion)" }),
    fused: z
      .array(
        z.object({
          chunk_id: z.string(),
          document_id: z.string(),
          fused: z.number(),
          relevance: z.number(),
          relevance_parts: z.object({ coverage: z.number(), dense: z.number(), anchors: z.number() }).nullable().openapi({
            description:
              "What the relevance is made of: anchors × (0.8 × coverage + 0.2 × dense). coverage: share of the question's term weight (IDF over the candidates) this chunk's title and text hold; dense: cosine clamped to 0–1; anchors: share of the question's names and numbers any candidate mentions (0 when the documents never name what the question is about)",
          }),
          dense_rank: z.number().int().nullable(),
          text_rank: z.number().int().nullable(),
          kept: z.boolean(),
          reason: cutReasonSchema,
        }),
      )
      .openapi({ description: "Every candidate in fused order" }),
    reranked: z
      .array(
        z.object({
          chunk_id: z.string(),
          document_id: z.string(),
          rerank: z.number().openapi({ description: "The reranker's score" }),
          fused_rank: z.number().int().openapi({ description: "1-based position in the fused order" }),
          kept: z.boolean(),
          reason: cutReasonSchema,
        }),
      )
      .optional()
      .openapi({ description: "With a reranker that answered: the candidates sent to it, in reranked order" }),
  })
  .openapi("RetrievalExplain");

export const retrievalSchema = z
  .object({
    status: z.enum(["ok", "empty", "unavailable"]).openapi({ description: "Also in the X-Retrieval-Status header; `unavailable`: the store is down" }),
    hits: z.array(hitSchema),
    thresholds: z.object({
      top_k: z.number().int(),
      candidate_k: z.number().int(),
      min_score: z.number(),
      min_score_applies_to: z.enum(["scores.relevance", "scores.rerank"]),
      fusion: z.object({
        method: z.enum(["rrf", "weighted-rrf", "convex"]),
        weights: z.object({ dense: z.number(), lexical: z.number() }),
        rrf_k: z.number(),
      }),
    }),
    reason: z.string().optional().openapi({ description: "Why retrieval was unavailable" }),
    rerank: rerankReportSchema.optional().openapi({ description: "With a reranker configured (retrieval.reranker): what the rerank stage did" }),
    cut: z.array(hitSchema).optional().openapi({ description: "With `explain`: candidates the threshold removed, most relevant first" }),
    explain: explainSchema.optional().openapi({ description: "With `explain` (when the store answered): every stage of the retrieval" }),
  })
  .openapi("Retrieval");

export const citationSchema = z
  .object({
    n: z.number().int().openapi({ description: "The [n] marker in the answer" }),
    document_id: z.string(),
    chunk_id: z.string(),
    start: z.number().int().openapi({ description: "Offsets into the chunk text: text.slice(start, end) === snippet" }),
    end: z.number().int(),
    score: z.number(),
    snippet: z.string(),
  })
  .openapi("Citation");

export const usageSchema = z
  .object({
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cached_tokens: z.number().int(),
    cost_usd: z.number().openapi({ description: "Estimated from the configured prices; 0 for unknown models" }),
    model: z.string().nullable(),
    prompt_version: z.string().nullable(),
  })
  .openapi("Usage");

export const reviewSchema = z
  .object({
    needed: z.boolean().openapi({ description: "The judge's score is below answer.judge.minScore: the answer should be reviewed" }),
    score: z.number().min(0).max(1).openapi({ description: "Share of the answer's sentences supported by their cited passages (partly counts half)" }),
    reasons: z.array(z.string()).openapi({ description: "One line per unsupported or partly supported sentence, or why the judge gave no verdict" }),
  })
  .openapi("AnswerReview");

export const queryResponseSchema = z
  .object({
    answer_status: z.enum(["answered", "refused", "degraded"]).openapi({
      description:
        "`refused`: nothing relevant enough was found (the not-found answer, or no hits in retrieve mode); `degraded`: answered without the documents or without a valid model output; `answered`: otherwise",
    }),
    answer: z.string().nullable().openapi({ description: "With [n] citation markers; null in retrieve mode or when the model output never validated" }),
    citations: z.array(citationSchema),
    retrieval: retrievalSchema,
    prompt_version: z.string().nullable(),
    model: z.string().nullable(),
    usage: usageSchema,
    cached: z.boolean(),
    degraded: z.boolean().openapi({
      description: "Answered without the documents (store down, or no-context fallback), without a valid model output, or past answer.deadlineMs",
    }),
    answer_id: z.string().nullish().openapi({ description: "Answer mode: the answer's id for POST /v1/answers/{id}/feedback; null if not recorded" }),
    review: reviewSchema.nullable().openapi({ description: "The grounding judge's verdict; null when no judge ran (off, a refusal, retrieve mode)" }),
    judge_version: z.string().nullable().openapi({ description: "The judge that gave `review` (method and prompt version); null when none ran" }),
    examples: z.array(z.string()).openapi({ description: "Ids of the reviewed corrections shown to the model as few-shot examples" }),
  })
  .openapi("QueryResponse");

export const queryEventStreamSchema = z.string().openapi({
  description:
    "With `stream: true`, Server-Sent Events in this order: `retrieval` (a Retrieval), `delta` ({text}) repeated, `citations` ({citations}), " +
    "`usage` (a Usage), `done` ({answer_status, answer, prompt_version, model, cached, degraded, judge_version, examples}), then, when a judge " +
    "checks the answer, `review` ({needed, score, reasons, judge_version}); a streamed answer is never retried. A failure after the stream started ends it with " +
    "`error` ({error: {code, message, status}, request_id}) instead of `done`.",
});
