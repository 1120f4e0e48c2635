import type { GroundingJudge, GroundingJudgeRequest, GroundingVerdict, SentenceSupport } from "../../src/ports/grounding-judge.js";
import { normalizeAnswerText } from "../../src/core/eval/answer-metrics.js";

/**
 * Test doubles of the GroundingJudge port with fixed behaviour, so the harness's own arithmetic is tested
 * apart from the real judges (whose figures move as they improve). Each splits the answer at sentence
 * ends and gives one verdict per sentence.
 */
const ZERO_USAGE = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 };
const MARKER = /\[(\d+)\]/;

function verdictOf(version: string, request: GroundingJudgeRequest, support: (sentence: string, passage: string | null) => SentenceSupport): GroundingVerdict {
  const texts = request.answer.split(/(?<=[.!?])\s+/).filter((text) => text.trim() !== "");
  const sentences = texts.map((text, index) => {
    const marker = MARKER.exec(text);
    const citation = marker ? Number(marker[1]) : null;
    const passage = citation === null ? null : (request.passages[citation - 1]?.text ?? null);
    return { index, text, support: support(text, passage), citation };
  });
  const supported = sentences.filter((sentence) => sentence.support === "supported").length;
  return { score: sentences.length === 0 ? 1 : supported / sentences.length, sentences, judgeVersion: version, usage: ZERO_USAGE, degraded: false };
}

/** A judge that checks nothing: every sentence supported. Whatever floors a real judge meets, this one must fail. */
export function createAlwaysSupportedJudgeTestDouble(): GroundingJudge {
  const version = "test-double.always-supported";
  return { version, judge: async (request) => verdictOf(version, request, () => "supported") };
}

/**
 * A naive judge: a sentence is supported when it cites a passage that contains every one of its words
 * of four or more characters and every number (after normalizeAnswerText), else unsupported.
 */
export function createCitedWordsJudgeTestDouble(): GroundingJudge {
  const version = "test-double.cited-words";
  return {
    version,
    judge: async (request) =>
      verdictOf(version, request, (sentence, passage) => {
        if (passage === null) return "unsupported";
        const words = new Set(normalizeAnswerText(passage).split(" "));
        const needed = normalizeAnswerText(sentence)
          .split(" ")
          .filter((word) => word.length >= 4 || /\d/.test(word));
        return needed.every((word) => words.has(word)) ? "supported" : "unsupported";
      }),
  };
}
