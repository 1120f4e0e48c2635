import { ValidationError } from "../errors.js";
import type { RetrievalSettings } from "../config/schema.js";
import type { SearchFilter, SearchHit } from "../stores/vector-store.js";
import { retrieveChunks, type Retrieval, type RetrieveDeps } from "../retrieve/retrieve-chunks.js";
import { answerExtractively } from "./extractive-answerer.js";
import { EXTRACTIVE_MODEL, EXTRACTIVE_PROMPT_VERSION, NOT_FOUND_ANSWER, NO_CONTEXT_ANSWER, STORE_UNAVAILABLE_ANSWER } from "./answer-texts.js";

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
}

const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 };

/** Request overrides are allowed within the configured bounds; outside them → 400 naming the field. */
export function resolveThresholds(settings: RetrievalSettings, input: { topK?: number; minScore?: number }) {
  const issues = [];
  if (input.topK !== undefined && input.topK > settings.maxTopK) issues.push({ path: "top_k", message: `must be at most ${settings.maxTopK} (retrieval.maxTopK)` });
  if (input.minScore !== undefined && input.minScore < settings.minScoreFloor) issues.push({ path: "min_score", message: `must be at least ${settings.minScoreFloor} (retrieval.minScoreFloor)` });
  if (issues.length > 0) throw new ValidationError("query thresholds out of bounds", issues);
  return { topK: input.topK ?? settings.topK, candidateK: settings.candidateK, minScore: input.minScore ?? settings.minScore };
}

/**
 * The query use case: retrieve (thresholds from the live settings, request overrides within
 * bounds), then answer from the retrieved chunks with cited sentences. Nothing above the threshold
 * follows `onNoContext` (refuse, or the no-context path flagged degraded); a store that is down
 * gives the documented fallback with `retrieval.status: "unavailable"` and `degraded: true`.
 */
export async function answerQuery(deps: AnswerQueryDeps, input: QueryInput): Promise<QueryResult> {
  const settings = deps.retrievalSettings();
  const thresholds = resolveThresholds(settings, input);
  const retrieval = await retrieveChunks(deps, { tenant: input.tenant, question: input.question, thresholds, filter: input.filter, signal: input.signal });
  const base = { citations: [], retrieval, usage: NO_USAGE, cached: false };

  if (input.mode === "retrieve") return { ...base, answer: null, promptVersion: null, model: null, degraded: retrieval.status === "unavailable" };
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
