import { answerExtractively } from "../../core/answer/extractive-answerer.js";
import { EXTRACTIVE_MODEL, EXTRACTIVE_PROMPT_VERSION } from "../../core/answer/answer-texts.js";
import type { Answer, AnswerEvent, Answerer, AnswerRequest } from "../../ports/answerer.js";

const NO_USAGE = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 };

/**
 * The local, model-free Answerer: quotes the passages' most relevant sentences (see
 * `answerExtractively`), each with its own citation. `not_found` when no sentence shares a term with
 * the question, or when there are no passages (it cannot answer without documents). Streaming yields
 * the whole answer as one delta (it is computed at once), then the result. Usage is always zero.
 * It ignores `request.examples` (it writes nothing of its own to learn from them) and `request.retry`
 * (the same passages give the same answer, so `capabilities.retries` is absent and none is asked).
 */
export function createExtractiveAnswerer(options: { maxSentences: number }): Answerer {
  const answerNow = (request: AnswerRequest): Answer => {
    const extracted = answerExtractively({ question: request.question, hits: request.passages, maxSentences: options.maxSentences });
    const base = { usage: NO_USAGE, model: EXTRACTIVE_MODEL, promptVersion: EXTRACTIVE_PROMPT_VERSION, cached: false, usedPassages: request.passages.length };
    if (extracted.answer === null) return { ...base, outcome: "not_found", answer: null, citations: [] };
    const citations = extracted.citations.map((citation) => ({
      n: citation.n,
      documentId: citation.documentId,
      chunkId: citation.chunkId,
      start: citation.start,
      end: citation.end,
      score: request.passages[citation.hitIndex]?.scores.fused ?? 0,
      snippet: citation.snippet,
    }));
    return { ...base, outcome: "answered", answer: extracted.answer, citations };
  };

  async function* streamed(request: AnswerRequest): AsyncIterable<AnswerEvent> {
    const result = answerNow(request);
    if (result.answer !== null) yield { type: "delta", text: result.answer };
    yield { type: "result", result };
  }

  const answer = (request: AnswerRequest, answerOptions?: { stream?: boolean }) =>
    answerOptions?.stream ? streamed(request) : Promise.resolve().then(() => answerNow(request));

  return {
    promptVersion: EXTRACTIVE_PROMPT_VERSION,
    model: EXTRACTIVE_MODEL,
    capabilities: { answersWithoutPassages: false, streamsIncrementally: false, reportsTokenUsage: false },
    answer,
  } as Answerer;
}
