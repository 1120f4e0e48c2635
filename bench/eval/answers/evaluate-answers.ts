import { citationSupport, containsAllFacts, containsGoldSpan, percentile, refusalIsCorrect } from "../../../src/core/eval/answer-metrics.js";
import { runPool } from "../../lib/bench-service.js";
import type { EvalRuntime } from "../eval-runtime.js";
import type { Share } from "../evaluate-set.js";

/** One question of an answer set, with what its answer is checked against. */
export interface AnswerItem {
  id: string;
  question: string;
  answerable: boolean;
  /** Gold spans or expected facts (compared after normalizeAnswerText, as whole words). */
  facts: string[];
  /** `any`: one fact in the answer is enough (SQuAD's gold spans); `all`: every expected fact (the golden set). */
  match: "any" | "all";
}

/** What the service answered to one question. */
export interface AnswerRecord {
  id: string;
  answerable: boolean;
  answerStatus: "answered" | "refused" | "degraded";
  answer: string | null;
  correct: boolean;
  /** Citations, and those whose cited chunk contains a fact (answerable questions only; 0 of 0 otherwise). */
  citations: { supporting: number; cited: number };
  costUsd: number;
  latencyMs: number;
  model: string | null;
  promptVersion: string | null;
  /** The service's own judge verdict (`review.needed`) when config turns answer.judge on; null when no judge ran. */
  reviewNeeded: boolean | null;
}

/** Answer figures of one set (one configuration): never averaged with another set. */
export interface AnswerSetFigures {
  questions: number;
  /** Answerable questions whose answer holds the gold span (any) or every expected fact (all). */
  accuracy: Share;
  /** Citations (of answers to answerable questions) whose cited chunk contains a fact. */
  citationPrecision: Share;
  /** Answerable questions answered `refused`. */
  answerableRefused: Share;
  /** Unanswerable questions answered `refused`. */
  unanswerableRefused: Share;
  /** Every question: refused exactly when unanswerable. */
  refusalCorrect: Share;
  /** Answers `degraded` (no valid model output, or answered without the documents). */
  degraded: Share;
  /** Of the answers the service's judge checked (answer.judge on), those returned with `review.needed`. */
  reviewNeeded: Share;
  costUsd: { total: number; perAnswer: number };
  latencyMs: { p50: number | null; p95: number | null };
  /** What answered, as the responses name it (the most frequent value; null when none named one). */
  model: string | null;
  promptVersion: string | null;
}

interface QueryAnswerJson {
  answer_status: AnswerRecord["answerStatus"];
  answer: string | null;
  citations: Array<{ chunk_id: string }>;
  retrieval: { hits: Array<{ chunk_id: string; text: string }> };
  usage: { cost_usd: number; model: string | null; prompt_version: string | null };
  review?: { needed: boolean } | null;
}

/** Latency is per answer, so questions are asked one at a time by default (a model's own latency, not a queue's). */
const DEFAULT_CONCURRENCY = 1;

/**
 * Asks every question with `POST /v1/query` (answer mode, the configuration's own retrieval settings)
 * and checks the answer text, the chunks it cites (by chunk id, among the hits of the same response)
 * and whether it was refused. A non-200 response is an error (the harness never hides a failing service).
 */
export async function answerQuestions(eval_: EvalRuntime, items: readonly AnswerItem[], options: { concurrency?: number } = {}): Promise<AnswerRecord[]> {
  const records: AnswerRecord[] = [];
  await runPool(items, options.concurrency ?? DEFAULT_CONCURRENCY, async (item, index) => {
    const started = performance.now();
    const response = await eval_.app.request("/v1/query", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question: item.question, mode: "answer" }),
    });
    const latencyMs = performance.now() - started;
    if (response.status !== 200) throw new Error(`query "${item.id}" failed: ${response.status} ${await response.text()}`);
    const result = (await response.json()) as QueryAnswerJson;
    const chunks = new Map(result.retrieval.hits.map((hit) => [hit.chunk_id, hit.text]));
    const cited = result.citations.map((citation) => chunks.get(citation.chunk_id) ?? null);
    records[index] = {
      id: item.id,
      answerable: item.answerable,
      answerStatus: result.answer_status,
      answer: result.answer,
      correct: item.answerable && (item.match === "all" ? containsAllFacts(result.answer, item.facts) : containsGoldSpan(result.answer, item.facts)),
      citations: item.answerable ? citationSupport(cited, item.facts) : { supporting: 0, cited: 0 },
      costUsd: result.usage.cost_usd,
      latencyMs,
      model: result.usage.model,
      promptVersion: result.usage.prompt_version,
      reviewNeeded: result.review?.needed ?? null,
    };
  });
  return records;
}

const mostFrequent = (values: ReadonlyArray<string | null>): string | null => {
  const counts = new Map<string, number>();
  for (const value of values) if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
};

const shareOf = (records: readonly AnswerRecord[], test: (record: AnswerRecord) => boolean): Share => ({
  count: records.filter(test).length,
  of: records.length,
});

/** Sums the records of one set into its figures (accuracy and citations over answerable questions only). */
export function summarizeAnswers(records: readonly AnswerRecord[]): AnswerSetFigures {
  const answerable = records.filter((record) => record.answerable);
  const unanswerable = records.filter((record) => !record.answerable);
  const refused = (record: AnswerRecord) => record.answerStatus === "refused";
  const totalCost = records.reduce((sum, record) => sum + record.costUsd, 0);
  const latencies = records.map((record) => record.latencyMs);
  return {
    questions: records.length,
    accuracy: shareOf(answerable, (record) => record.correct),
    citationPrecision: {
      count: answerable.reduce((sum, record) => sum + record.citations.supporting, 0),
      of: answerable.reduce((sum, record) => sum + record.citations.cited, 0),
    },
    answerableRefused: shareOf(answerable, refused),
    unanswerableRefused: shareOf(unanswerable, refused),
    refusalCorrect: shareOf(records, (record) => refusalIsCorrect(record.answerable, refused(record))),
    degraded: shareOf(records, (record) => record.answerStatus === "degraded"),
    reviewNeeded: shareOf(
      records.filter((record) => record.reviewNeeded !== null),
      (record) => record.reviewNeeded === true,
    ),
    costUsd: { total: totalCost, perAnswer: records.length === 0 ? 0 : totalCost / records.length },
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
    model: mostFrequent(records.map((record) => record.model)),
    promptVersion: mostFrequent(records.map((record) => record.promptVersion)),
  };
}
