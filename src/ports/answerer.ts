import type { Citation, Passage } from "../core/answer/passages.js";
import type { AnswerExample } from "./answer-examples.js";

export type { Citation, Passage };

/** Tokens and estimated cost of one answer, summed over every model call it took; all zero when no model was called. */
export interface AnswerUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costUsd: number;
}

/** Why a request carries no passages: the store could not be reached, or nothing was relevant enough. */
export type NoPassagesReason = "unavailable" | "empty";

export interface AnswerRequest {
  tenant: string;
  /** The API key asking, for usage accounting. */
  keyId?: string;
  question: string;
  /** Retrieved passages, best first. Empty: answer without the documents (see `noPassagesReason`). */
  passages: Passage[];
  /** Read only when `passages` is empty; "empty" when absent. */
  noPassagesReason?: NoPassagesReason;
  /** Reviewed question/answer pairs to show the model (most similar first); a model answerer keeps those within its example token budget, others ignore them. */
  examples?: AnswerExample[];
  /**
   * A semantic retry (see `capabilities.retries`): the earlier answer was found wanting (`problems`:
   * e.g. the sentences the grounding judge found unsupported). The answerer asks again with a prompt
   * stating them, skips the cache lookup, and makes at most `maxCalls` generation calls.
   */
  retry?: { problems: string[]; maxCalls: number };
  signal?: AbortSignal;
}

/**
 * - `answered`: `answer` holds the text, its citations resolved against the passages.
 * - `not_found`: the passages (or their absence) give nothing to answer with; `answer` is null.
 * - `invalid_output`: a model's output never validated (after repair and retry); `answer` is null,
 *   and nothing unvalidated is returned.
 */
export type AnswerOutcome = "answered" | "not_found" | "invalid_output";

export interface Answer {
  outcome: AnswerOutcome;
  /** The answer text with its "[n]" markers; null unless `outcome` is "answered". */
  answer: string | null;
  /** Each points into a passage of the request; empty when there were no passages. */
  citations: Citation[];
  usage: AnswerUsage;
  /** What produced the answer (the model that answered, or the local answerer's name). */
  model: string;
  promptVersion: string;
  /** Served from the answer cache (usage is then zero). */
  cached: boolean;
  /** How many passages the answer was made from: a prefix of the request's passages (a token budget may drop the lowest-ranked). */
  usedPassages: number;
  /** Generation calls this answer took (repairs, retries and fallback included); 0 when no model was called. Absent → 0. */
  calls?: number;
  /** Ids of the examples actually put in the prompt (a prefix of the request's, by similarity); absent → none. */
  examples?: string[];
}

/** A streamed answer: text deltas as they are produced, then exactly one `result`, last. */
export type AnswerEvent = { type: "delta"; text: string } | { type: "result"; result: Answer };

/** What an answerer can do, as data: the query use case decides with it instead of asking which answerer it has. */
export interface AnswererCapabilities {
  /** Answers a request with no passages (a separate no-retrieval prompt); false → such a request gets `not_found`. */
  answersWithoutPassages: boolean;
  /** Streams text as it is produced (usually several deltas); false → the whole answer arrives as one delta. */
  streamsIncrementally: boolean;
  /** Spends model tokens (usage is non-zero for an uncached answer); false → usage is always zero. */
  reportsTokenUsage: boolean;
  /** Honours `request.retry` with a different attempt (a model); absent or false → a retry would give the same answer, so none is made. */
  retries?: boolean;
}

/**
 * Port for answering a question from retrieved passages (the local extractive answerer, or a chat
 * model over the ChatModel port).
 *
 * Contract:
 * - One entry point: `answer(request)` resolves to one Answer; `answer(request, { stream: true })`
 *   yields zero or more deltas then exactly one `result`, last. The deltas joined equal
 *   `result.answer` unless validation removed something (a model citing a passage it was not given).
 * - Citations point only at passages of the request, by chunk id and document id, with offsets
 *   that slice the snippet out of the passage text; every "[n]" marker in the text has a citation.
 * - Deciding what to do when retrieval is empty or unavailable is not the answerer's job (the
 *   query use case does it once); the answerer only answers what it is asked.
 * - Failures of a model after its retries propagate as Upstream*Error (502/503/504); a stream that
 *   fails midway throws, it never just ends. The request's `signal` aborts model calls.
 */
export interface Answerer {
  /** Version of the answer prompt (or of the local method): what a refusal in this answerer's name reports. */
  readonly promptVersion: string;
  /** Model named on answers given in this answerer's name without calling it (a refusal): the local answerer names itself; a model answerer names none, since no model was asked. */
  readonly model: string | null;
  readonly capabilities: AnswererCapabilities;
  answer(request: AnswerRequest, options?: { stream?: false }): Promise<Answer>;
  answer(request: AnswerRequest, options: { stream: true }): AsyncIterable<AnswerEvent>;
}
