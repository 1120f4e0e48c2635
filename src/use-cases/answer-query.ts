import { ValidationError } from "../core/errors.js";
import type { RetrievalSettings } from "../config/schema.js";
import type { SearchFilter, SearchHit } from "../ports/vector-store.js";
import { retrieveChunks, type Retrieval, type RetrieveDeps } from "./retrieve.js";
import { answerExtractively } from "../core/answer/extractive-answerer.js";
import type { LlmAnswerer, ModelAnswer } from "./answer/model-answerer.js";
import { EXTRACTIVE_MODEL, EXTRACTIVE_PROMPT_VERSION, NOT_FOUND_ANSWER, NO_CONTEXT_ANSWER, STORE_UNAVAILABLE_ANSWER } from "../core/answer/answer-texts.js";

export interface QueryInput {
  tenant: string;
  question: string;
  topK?: number;
  minScore?: number;
  filter?: SearchFilter;
  mode: "answer" | "retrieve";
  signal?: AbortSignal;
}

export interface Citation {
  n: number;
  documentId: string;
  chunkId: string;
  /** Offsets into the cited chunk's text: hit.text.slice(start, end) === snippet. */
  start: number;
  end: number;
  score: number;
  snippet: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costUsd: number;
}

export interface QueryResult {
  answer: string | null;
  citations: Citation[];
  retrieval: Retrieval;
  promptVersion: string | null;
  model: string | null;
  usage: Usage;
  cached: boolean;
  degraded: boolean;
}

export interface AnswerQueryDeps extends RetrieveDeps {
  retrievalSettings: () => RetrievalSettings;
  maxSentences: number;
  /** The model answer path; absent → the local extractive answerer (the default). */
  answerer?: LlmAnswerer;
}

/** Events of a streamed answer: text deltas, then one `result` with the validated answer. */
export type QueryStreamEvent = { type: "delta"; text: string } | { type: "result"; result: QueryResult };

const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 };

/** Request overrides are allowed within the configured bounds; outside them → 400 naming the field. */
export function resolveThresholds(settings: RetrievalSettings, input: { topK?: number; minScore?: number }) {
  const issues = [];
  if (input.topK !== undefined && input.topK > settings.maxTopK)
    issues.push({ path: "top_k", message: `must be at most ${settings.maxTopK} (retrieval.maxTopK)` });
  if (input.minScore !== undefined && input.minScore < settings.minScoreFloor)
    issues.push({ path: "min_score", message: `must be at least ${settings.minScoreFloor} (retrieval.minScoreFloor)` });
  if (issues.length > 0) throw new ValidationError("query thresholds out of bounds", issues);
  return { topK: input.topK ?? settings.topK, candidateK: settings.candidateK, minScore: input.minScore ?? settings.minScore };
}

/** Retrieval for a query: thresholds from the live settings, request overrides within bounds. */
export async function retrieveForQuery(deps: AnswerQueryDeps, input: QueryInput): Promise<Retrieval> {
  const thresholds = resolveThresholds(deps.retrievalSettings(), input);
  return retrieveChunks(deps, { tenant: input.tenant, question: input.question, thresholds, filter: input.filter, signal: input.signal });
}

/**
 * The query use case: retrieve (thresholds from the live settings, request overrides within
 * bounds), then answer from the retrieved chunks with citations — by the model when one is
 * configured, else by the extractive answerer. Nothing above the threshold follows `onNoContext`
 * (refuse, or the no-context path flagged degraded); a store that is down gives the documented
 * fallback with `retrieval.status: "unavailable"` and `degraded: true` (with a model: the separate
 * non-retrieval prompt). Model failures after retries propagate as Upstream* errors (502/503/504).
 */
export async function answerQuery(deps: AnswerQueryDeps, input: QueryInput): Promise<QueryResult> {
  return answerRetrieved(deps, input, await retrieveForQuery(deps, input));
}

/** Answers from a retrieval already made (the streaming route retrieves first to set its headers). */
export async function answerRetrieved(deps: AnswerQueryDeps, input: QueryInput, retrieval: Retrieval): Promise<QueryResult> {
  const plan = planAnswer(deps, input, retrieval);
  if (plan.kind === "fixed") return plan.result;
  const request = { tenant: input.tenant, question: input.question, signal: input.signal };
  const answered =
    plan.kind === "model"
      ? await plan.answerer.answer({ ...request, hits: retrieval.hits })
      : await plan.answerer.answerWithoutRetrieval({ ...request, reason: plan.reason });
  return { retrieval, ...fromModelAnswer(answered) };
}

/** Streams the answer: deltas as the model writes, then the validated result; fixed and extractive answers come as one delta. */
export async function* streamRetrieved(deps: AnswerQueryDeps, input: QueryInput, retrieval: Retrieval): AsyncIterable<QueryStreamEvent> {
  const plan = planAnswer(deps, input, retrieval);
  if (plan.kind === "fixed") {
    if (plan.result.answer) yield { type: "delta", text: plan.result.answer };
    yield { type: "result", result: plan.result };
    return;
  }
  const request = { tenant: input.tenant, question: input.question, signal: input.signal };
  const events =
    plan.kind === "model"
      ? plan.answerer.streamAnswer({ ...request, hits: retrieval.hits })
      : plan.answerer.streamWithoutRetrieval({ ...request, reason: plan.reason });
  for await (const event of events) {
    yield event.type === "delta" ? event : { type: "result", result: { retrieval, ...fromModelAnswer(event.result) } };
  }
}

type AnswerPlan =
  | { kind: "fixed"; result: QueryResult }
  | { kind: "model"; answerer: LlmAnswerer }
  | { kind: "fallback"; answerer: LlmAnswerer; reason: "unavailable" | "empty" };

function planAnswer(deps: AnswerQueryDeps, input: QueryInput, retrieval: Retrieval): AnswerPlan {
  const answerer = deps.answerer;
  const base = { citations: [], retrieval, usage: NO_USAGE, cached: false };
  if (input.mode === "retrieve")
    return { kind: "fixed", result: { ...base, answer: null, promptVersion: null, model: null, degraded: retrieval.status === "unavailable" } };
  if (!answerer) return { kind: "fixed", result: answerFromExtracts(deps, input, retrieval) };
  if (retrieval.status === "unavailable") return { kind: "fallback", answerer, reason: "unavailable" };
  if (retrieval.status === "empty") {
    if (deps.retrievalSettings().onNoContext === "fallback") return { kind: "fallback", answerer, reason: "empty" };
    return { kind: "fixed", result: { ...base, answer: NOT_FOUND_ANSWER, promptVersion: answerer.promptVersion, model: null, degraded: false } };
  }
  return { kind: "model", answerer };
}

function fromModelAnswer(answer: ModelAnswer): Omit<QueryResult, "retrieval"> {
  return {
    answer: answer.answer,
    citations: answer.citations,
    promptVersion: answer.promptVersion,
    model: answer.model,
    usage: answer.usage,
    cached: answer.cached,
    degraded: answer.degraded,
  };
}

/** The model-free path: fixed texts for unavailable/empty retrieval, else the extractive answerer's cited sentences. */
function answerFromExtracts(deps: AnswerQueryDeps, input: QueryInput, retrieval: Retrieval): QueryResult {
  const settings = deps.retrievalSettings();
  const base = { citations: [], retrieval, usage: NO_USAGE, cached: false };
  const answered = { promptVersion: EXTRACTIVE_PROMPT_VERSION, model: EXTRACTIVE_MODEL };
  if (retrieval.status === "unavailable") return { ...base, ...answered, answer: STORE_UNAVAILABLE_ANSWER, degraded: true };
  if (retrieval.status === "empty") {
    return settings.onNoContext === "refuse"
      ? { ...base, ...answered, answer: NOT_FOUND_ANSWER, degraded: false }
      : { ...base, ...answered, answer: NO_CONTEXT_ANSWER, degraded: true };
  }

  const extracted = answerExtractively({ question: input.question, hits: retrieval.hits, maxSentences: deps.maxSentences });
  if (extracted.answer === null) return { ...base, ...answered, answer: NOT_FOUND_ANSWER, degraded: false };
  const citations = extracted.citations.map((citation) => ({
    n: citation.n,
    documentId: citation.documentId,
    chunkId: citation.chunkId,
    start: citation.start,
    end: citation.end,
    score: scoreOf(retrieval.hits[citation.hitIndex]),
    snippet: citation.snippet,
  }));
  return { ...base, ...answered, answer: extracted.answer, citations, degraded: false };
}

function scoreOf(hit: SearchHit | undefined): number {
  return hit ? hit.scores.fused : 0;
}
