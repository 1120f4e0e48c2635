import { NOT_FOUND_ANSWER } from "../../src/core/answer/answer-texts.js";
import { containsGoldSpan } from "../../src/core/eval/answer-metrics.js";
import { firstOccurrences, retrievalMetrics, type RetrievalMetrics } from "../../src/core/eval/retrieval-metrics.js";
import { lexicalQueryTerms } from "../../src/core/ranking/lexical-query.js";
import type { Candidate } from "../../src/ports/vector-store.js";
import { runPool } from "../lib/bench-service.js";
import { EVAL_TENANT, RANKING_DEPTH, type EvalRuntime } from "./eval-runtime.js";
import type { EvalQuery, OffTopicQuestion } from "./eval-sets.js";

/** A count out of a total, reported as a share. */
export interface Share {
  count: number;
  of: number;
}

/** What the default thresholds do (answer mode, the configuration's own retrieval settings). */
export interface ThresholdFigures {
  /** Queries whose relevant document is in the top 5 of the top-100 / min_score 0 ranking. */
  answerable: number;
  /** Of those, the ones that came back `retrieval.status: "empty"` with the default thresholds. */
  answerableTurnedAway: Share;
  offTopicEmpty: Share;
  offTopicNearMissEmpty: Share;
  /** Off-topic questions refused in answer mode: status empty or the not-found answer. */
  offTopicRefused: Share;
}

export interface AnswerFigures {
  /** Queries with gold spans. */
  questions: number;
  answerContainsSpan: Share;
  citationSnippetContainsSpan: Share;
  citedChunkContainsSpan: Share;
}

export interface ConfigRows {
  /** The service's own ranking (`mode: "retrieve"`, top_k 100, min_score 0). */
  hybrid: RetrievalMetrics;
  /** The store's lexical list alone, by BM25. */
  lexical: RetrievalMetrics;
  /** The store's dense list alone, by cosine. */
  dense: RetrievalMetrics;
  queries: number;
  thresholds: ThresholdFigures;
  answers: AnswerFigures | null;
  querySeconds: number;
}

const QUERY_CONCURRENCY = 4;

interface HitJson {
  document_id: string;
  chunk_id: string;
  text: string;
}
interface QueryJson {
  answer: string | null;
  citations: Array<{ chunk_id: string; snippet: string }>;
  retrieval: { status: string; hits: HitJson[] };
}

async function postQuery(eval_: EvalRuntime, body: Record<string, unknown>): Promise<QueryJson> {
  const response = await eval_.app.request("/v1/query", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (response.status !== 200) throw new Error(`query failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as QueryJson;
}

/** Best first by score, stable (equal scores keep the engine's order), as core/ranking orders each list before fusing. */
const byScore = (list: readonly Candidate[]): string[] => [...list].sort((a, b) => b.score - a.score).map((candidate) => candidate.metadata.documentId);

const average = (values: RetrievalMetrics[]): RetrievalMetrics => {
  const sum = (key: keyof RetrievalMetrics) => values.reduce((total, value) => total + value[key], 0) / Math.max(1, values.length);
  return { ndcgAt10: sum("ndcgAt10"), recallAt10: sum("recallAt10"), recallAt100: sum("recallAt100"), mrrAt10: sum("mrrAt10") };
};

/**
 * Every query of a set against one running configuration (documents already indexed):
 * 1. ranking settings: `mode: "retrieve"`, top_k 100, min_score 0 → the hybrid row; the store's two
 *    candidate lists (100 each) for the same question → the lexical-only and dense-only rows;
 * 2. the configuration's own settings, answer mode → answer figures and what the threshold turned
 *    away; the off-topic questions, retrieve and answer mode.
 * Rankings are per document (a document counts at its best chunk's position).
 */
export async function evaluateQueries(
  eval_: EvalRuntime,
  queries: readonly EvalQuery[],
  offTopic: readonly OffTopicQuestion[],
  originalIds: ReadonlyMap<string, string>,
): Promise<ConfigRows> {
  const started = performance.now();
  const toOriginal = (ids: string[]) => firstOccurrences(ids.map((id) => originalIds.get(id) ?? id));
  const hybrid: RetrievalMetrics[] = [];
  const lexical: RetrievalMetrics[] = [];
  const dense: RetrievalMetrics[] = [];
  const answerableAt5: boolean[] = [];

  eval_.useSettings("ranking");
  await runPool(queries, QUERY_CONCURRENCY, async (query, index) => {
    const result = await postQuery(eval_, { question: query.text, mode: "retrieve", top_k: RANKING_DEPTH, min_score: 0 });
    const ranking = toOriginal(result.retrieval.hits.map((hit) => hit.document_id));
    hybrid[index] = retrievalMetrics(ranking, query.judgements);
    answerableAt5[index] = ranking.slice(0, 5).some((id) => (query.judgements.get(id) ?? 0) > 0);
    const [vector] = await eval_.runtime.deps.embeddings.embed([query.text], { tenant: EVAL_TENANT });
    const lists = await eval_.runtime.deps.store.candidates({
      tenant: EVAL_TENANT,
      dense: vector!,
      lexicalTerms: lexicalQueryTerms(query.text),
      limit: RANKING_DEPTH,
    });
    lexical[index] = retrievalMetrics(toOriginal(byScore(lists.lexical)), query.judgements);
    dense[index] = retrievalMetrics(toOriginal(byScore(lists.dense)), query.judgements);
  });

  eval_.useSettings("defaults");
  const withAnswers = queries.some((query) => query.answers !== undefined);
  const answers: AnswerFigures = { questions: 0, answerContainsSpan: share(), citationSnippetContainsSpan: share(), citedChunkContainsSpan: share() };
  const turnedAway = share();
  await runPool(queries, QUERY_CONCURRENCY, async (query, index) => {
    const spans = query.answers ?? [];
    const result = await postQuery(eval_, { question: query.text, mode: withAnswers ? "answer" : "retrieve" });
    if (answerableAt5[index]) count(turnedAway, result.retrieval.status === "empty");
    if (spans.length === 0) return;
    answers.questions += 1;
    const chunks = new Map(result.retrieval.hits.map((hit) => [hit.chunk_id, hit.text]));
    count(answers.answerContainsSpan, containsGoldSpan(result.answer, spans));
    count(
      answers.citationSnippetContainsSpan,
      result.citations.some((citation) => containsGoldSpan(citation.snippet, spans)),
    );
    count(
      answers.citedChunkContainsSpan,
      result.citations.some((citation) => containsGoldSpan(chunks.get(citation.chunk_id) ?? null, spans)),
    );
  });

  const offTopicEmpty = share();
  const offTopicNearMissEmpty = share();
  const offTopicRefused = share();
  await runPool(offTopic, QUERY_CONCURRENCY, async (question) => {
    const retrieved = await postQuery(eval_, { question: question.text, mode: "retrieve" });
    count(offTopicEmpty, retrieved.retrieval.status === "empty");
    if (question.kind === "near-miss") count(offTopicNearMissEmpty, retrieved.retrieval.status === "empty");
    const answered = await postQuery(eval_, { question: question.text, mode: "answer" });
    count(offTopicRefused, answered.retrieval.status === "empty" || answered.answer === NOT_FOUND_ANSWER);
  });

  return {
    hybrid: average(hybrid),
    lexical: average(lexical),
    dense: average(dense),
    queries: queries.length,
    thresholds: { answerable: turnedAway.of, answerableTurnedAway: turnedAway, offTopicEmpty, offTopicNearMissEmpty, offTopicRefused },
    answers: answers.questions > 0 ? answers : null,
    querySeconds: (performance.now() - started) / 1000,
  };
}

function share(): Share {
  return { count: 0, of: 0 };
}

function count(target: Share, hit: boolean): void {
  target.of += 1;
  if (hit) target.count += 1;
}
