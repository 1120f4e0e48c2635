import { ValidationError } from "../core/errors.js";
import { NOT_FOUND_ANSWER, NO_CONTEXT_ANSWER, STORE_UNAVAILABLE_ANSWER } from "../core/answer/answer-texts.js";
import type { Answer, AnswerEvent, Answerer, AnswerRequest, AnswerUsage, Citation } from "../ports/answerer.js";
import type { FusionSettings } from "../core/ranking/fuse-lists.js";
import type { SearchFilter } from "../ports/vector-store.js";
import type { AnswerReview, GroundingJudge } from "../ports/grounding-judge.js";
import type { AnswerExampleSource } from "../ports/answer-examples.js";
import {
  answerChecked,
  DEFAULT_ANSWER_POLICY,
  findExamples,
  isJudged,
  judgeAnswer,
  reviewOf,
  startDeadline,
  type AnswerPolicy,
  type CheckedAnswer,
} from "./answer/checked-answer.js";
import { retrieveChunks, type Retrieval, type RetrieveDeps } from "./retrieve.js";
import type { QueryExpansionSettings } from "./expand-query.js";

export interface QueryInput {
  tenant: string;
  /** The API key asking, for usage accounting. */
  keyId?: string;
  question: string;
  topK?: number;
  minScore?: number;
  filter?: SearchFilter;
  mode: "answer" | "retrieve";
  signal?: AbortSignal;
}

/**
 * What the response is, so a refusal is never read as success: `refused` — nothing relevant enough
 * was found (the not-found answer, or an empty retrieval in retrieve mode); `degraded` — answered
 * without the documents or without a valid model output; `answered` — otherwise.
 */
export type AnswerStatus = "answered" | "refused" | "degraded";

export interface QueryResult {
  answerStatus: AnswerStatus;
  answer: string | null;
  citations: Citation[];
  retrieval: Retrieval;
  promptVersion: string | null;
  model: string | null;
  usage: AnswerUsage;
  cached: boolean;
  degraded: boolean;
  /** The grounding judge's verdict; null when no judge ran (judge off, a refusal, retrieve mode, or streamed: see the `review` event). */
  review: AnswerReview | null;
  /** The judge that gave `review` (method and prompt version); null when none ran. */
  judgeVersion: string | null;
  /** Ids of the reviewed corrections shown to the model as examples (empty when none). */
  examples: string[];
}

/** Events of a streamed answer: text deltas, then one `result` with the validated answer. */
export type QueryStreamEvent =
  | { type: "delta"; text: string }
  | { type: "result"; result: QueryResult }
  /** After `result`, when a judge checks streamed answers: a streamed answer is never retried, its verdict comes last. */
  | { type: "review"; review: AnswerReview; judgeVersion: string };

/** A streamed query: retrieval is done (its status is known before anything is sent), the answer is still to come. */
export interface QueryStream {
  retrieval: Retrieval;
  events: AsyncIterable<QueryStreamEvent>;
}

/** The live retrieval settings a query reads (config `retrieval`, hot-reloadable). */
export interface QuerySettings {
  topK: number;
  maxTopK: number;
  candidateK: number;
  minScore: number;
  minScoreFloor: number;
  fusion: FusionSettings;
  /** RM3 query expansion; absent → off. */
  expansion?: QueryExpansionSettings;
  /** Nothing above the threshold: refuse with "not found", or answer on the no-context path flagged degraded. */
  onNoContext: "refuse" | "fallback";
}

export interface AnswerQueryDeps extends RetrieveDeps {
  retrievalSettings: () => QuerySettings;
  answerer: Answerer;
  /** Checks answers against their cited passages (config `answer.judge`); absent or null → no review. */
  judge?: GroundingJudge | null;
  /** Reviewed corrections shown to the model as examples (config `answer.examples`); absent → none. */
  exampleSource?: AnswerExampleSource;
  /** Judge threshold, answer deadline, examples on/off; DEFAULT_ANSWER_POLICY when absent. */
  answerPolicy?: () => AnswerPolicy;
}

export interface AnswerQueryOptions {
  /** Called once retrieval is done, before answering (the HTTP route sets its status header there). */
  onRetrieval?: (retrieval: Retrieval) => void;
}

const NO_USAGE: AnswerUsage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 };

/** Request overrides are allowed within the configured bounds; outside them → 400 naming the field. */
function resolveThresholds(settings: QuerySettings, input: { topK?: number; minScore?: number }) {
  const issues = [];
  if (input.topK !== undefined && input.topK > settings.maxTopK)
    issues.push({ path: "top_k", message: `must be at most ${settings.maxTopK} (retrieval.maxTopK)` });
  if (input.minScore !== undefined && input.minScore < settings.minScoreFloor)
    issues.push({ path: "min_score", message: `must be at least ${settings.minScoreFloor} (retrieval.minScoreFloor)` });
  if (issues.length > 0) throw new ValidationError("query thresholds out of bounds", issues);
  const requested = input.minScore !== undefined ? { requestedMinScore: input.minScore } : {};
  return {
    topK: input.topK ?? settings.topK,
    candidateK: settings.candidateK,
    minScore: input.minScore ?? settings.minScore,
    fusion: settings.fusion,
    ...requested,
    expansion: settings.expansion,
  };
}

/**
 * The query use case, the one entry point of `POST /v1/query`: retrieve (thresholds from the live
 * settings, request overrides within bounds), then answer with citations, or return hits only in
 * `retrieve` mode. The `ok | empty | unavailable` decisions are made here, once, for every answerer:
 * - ok: the answerer answers from the passages; finding nothing in them is the "not found" refusal;
 * - empty: `onNoContext: refuse` → the "not found" refusal (not degraded); `fallback` → the
 *   no-context path, flagged degraded;
 * - unavailable (store down): the documented fallback, flagged degraded, saying so in the answer.
 * The no-context and unavailable paths ask the answerer without passages when it can answer that
 * way (a model's separate prompt), else give a fixed text saying why. Model failures after retries
 * propagate as Upstream*Error (502/503/504). `stream: true` resolves once retrieval is done and
 * streams the answer: fixed and extractive answers come as one delta.
 *
 * Checked answers (see answer/checked-answer.ts): reviewed examples are asked of `exampleSource`
 * and passed to the answerer; an answer made from passages is judged when a judge is configured,
 * below `judgeMinScore` retried once with the unsupported sentences stated, then returned with its
 * `review`. Everything runs within `deadlineMs`: past it, the answer is degraded (no text), never an
 * error; a retry or judge cut by it keeps the answer obtained so far. A streamed answer is never
 * retried: its verdict is a `review` event after `result`.
 */
export function answerQuery(deps: AnswerQueryDeps, input: QueryInput, options?: AnswerQueryOptions & { stream?: false }): Promise<QueryResult>;
export function answerQuery(deps: AnswerQueryDeps, input: QueryInput, options: AnswerQueryOptions & { stream: true }): Promise<QueryStream>;
export async function answerQuery(
  deps: AnswerQueryDeps,
  input: QueryInput,
  options: AnswerQueryOptions & { stream?: boolean } = {},
): Promise<QueryResult | QueryStream> {
  const thresholds = resolveThresholds(deps.retrievalSettings(), input);
  const retrieval = await retrieveChunks(deps, { tenant: input.tenant, question: input.question, thresholds, filter: input.filter, signal: input.signal });
  options.onRetrieval?.(retrieval);
  const step = decide(deps, input, retrieval);
  if (options.stream) return { retrieval, events: streamStep(deps, step, retrieval) };
  if (step.kind === "fixed") return step.result;
  const policy = deps.answerPolicy?.() ?? DEFAULT_ANSWER_POLICY;
  const deadline = startDeadline(input.signal, policy.deadlineMs);
  try {
    const request = { ...step.request, signal: deadline.signal };
    const examples = await findExamples(deps, policy, request);
    return fromChecked(await answerChecked(deps, policy, { ...request, examples }), step, retrieval);
  } catch (error) {
    if (!deadline.expired()) throw error;
    deps.logger?.warn({ deadline_ms: policy.deadlineMs }, "answer deadline passed; degraded");
    return withStatus({
      answer: null,
      citations: [],
      retrieval,
      promptVersion: deps.answerer.promptVersion,
      model: null,
      usage: NO_USAGE,
      cached: false,
      degraded: true,
    });
  }
}

function fromChecked(checked: CheckedAnswer, step: Extract<Step, { kind: "ask" }>, retrieval: Retrieval): QueryResult {
  const result = fromAnswer(checked.answer, step, retrieval);
  return { ...result, usage: checked.usage, review: checked.review, judgeVersion: checked.judgeVersion };
}

/** What to do for a query: a result known without answering, or a request to the answerer. */
type Step = { kind: "fixed"; result: QueryResult } | { kind: "ask"; request: AnswerRequest; withoutPassages: boolean };

function decide(deps: AnswerQueryDeps, input: QueryInput, retrieval: Retrieval): Step {
  const { answerer } = deps;
  const fixed = (answer: string | null, degraded: boolean): Step => {
    const named = answer === null ? { promptVersion: null, model: null } : { promptVersion: answerer.promptVersion, model: answerer.model };
    return { kind: "fixed", result: withStatus({ answer, citations: [], retrieval, ...named, usage: NO_USAGE, cached: false, degraded }) };
  };
  const request = { tenant: input.tenant, keyId: input.keyId, question: input.question, signal: input.signal };
  const withoutPassages = (reason: "unavailable" | "empty", text: string): Step =>
    answerer.capabilities.answersWithoutPassages
      ? { kind: "ask", request: { ...request, passages: [], noPassagesReason: reason }, withoutPassages: true }
      : fixed(text, true);

  if (input.mode === "retrieve") return fixed(null, retrieval.status === "unavailable");
  if (retrieval.status === "unavailable") return withoutPassages("unavailable", STORE_UNAVAILABLE_ANSWER);
  if (retrieval.status === "empty") {
    return deps.retrievalSettings().onNoContext === "fallback" ? withoutPassages("empty", NO_CONTEXT_ANSWER) : fixed(NOT_FOUND_ANSWER, false);
  }
  return { kind: "ask", request: { ...request, passages: retrieval.hits }, withoutPassages: false };
}

/** An answer without passages is degraded; output that never validated is degraded with no text; nothing found is the refusal. */
function fromAnswer(answer: Answer, step: Extract<Step, { kind: "ask" }>, retrieval: Retrieval): QueryResult {
  const base = {
    retrieval,
    promptVersion: answer.promptVersion,
    model: answer.model,
    usage: answer.usage,
    cached: answer.cached,
    examples: answer.examples ?? [],
  };
  if (answer.outcome === "invalid_output") return withStatus({ ...base, answer: null, citations: [], degraded: true });
  if (answer.outcome === "not_found") return withStatus({ ...base, answer: NOT_FOUND_ANSWER, citations: [], degraded: step.withoutPassages });
  return withStatus({ ...base, answer: answer.answer, citations: step.withoutPassages ? [] : answer.citations, degraded: step.withoutPassages });
}

function withStatus(unjudged: Omit<QueryResult, "answerStatus" | "review" | "judgeVersion" | "examples"> & { examples?: string[] }): QueryResult {
  const result = { review: null, judgeVersion: null, examples: [], ...unjudged };
  const refused = result.answer === NOT_FOUND_ANSWER || (result.answer === null && result.retrieval.status === "empty");
  return { answerStatus: result.degraded ? "degraded" : refused ? "refused" : "answered", ...result };
}

/** A streamed answer: never retried; when judged, `result` names the judge and the verdict follows as `review` (within the deadline, counted from the stream's start). */
async function* streamStep(deps: AnswerQueryDeps, step: Step, retrieval: Retrieval): AsyncIterable<QueryStreamEvent> {
  if (step.kind === "fixed") {
    if (step.result.answer) yield { type: "delta", text: step.result.answer };
    yield { type: "result", result: step.result };
    return;
  }
  const policy = deps.answerPolicy?.() ?? DEFAULT_ANSWER_POLICY;
  const deadline = startDeadline(step.request.signal, policy.deadlineMs);
  const request = { ...step.request, examples: await findExamples(deps, policy, step.request) };
  let streamed = false;
  for await (const event of deps.answerer.answer(request, { stream: true }) as AsyncIterable<AnswerEvent>) {
    if (event.type === "delta") {
      streamed = true;
      yield event;
      continue;
    }
    const judged = isJudged(deps, event.result, request);
    const result = { ...fromAnswer(event.result, step, retrieval), judgeVersion: judged ? deps.judge!.version : null };
    // A refusal replaces an answer that produced no text: send its text as the one delta.
    if (!streamed && result.answer) yield { type: "delta", text: result.answer };
    yield { type: "result", result };
    if (!judged) continue;
    const verdict = await judgeAnswer(deps, event.result, { ...request, signal: deadline.signal });
    yield { type: "review", review: reviewOf(verdict, policy.judgeMinScore), judgeVersion: verdict.judgeVersion };
  }
}
