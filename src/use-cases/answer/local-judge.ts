import { checkSupport } from "../../core/answer/support-check.js";
import type { GroundingJudge, GroundingVerdict } from "../../ports/grounding-judge.js";

export const LOCAL_JUDGE_VERSION = "local-support.v1";

const NO_USAGE = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 };

/**
 * The offline GroundingJudge (`answer.judge.mode: local`): `checkSupport` over the answer and the
 * passages it was given (content words and numbers of each sentence covered by its cited passage).
 * No model, no cost, deterministic; never degraded. See checkSupport for what it cannot see.
 */
export function createLocalJudge(): GroundingJudge {
  return {
    version: LOCAL_JUDGE_VERSION,
    judge: (request) => {
      const check = checkSupport({ answer: request.answer, passages: request.passages, citations: request.citations });
      const verdict: GroundingVerdict = { ...check, judgeVersion: LOCAL_JUDGE_VERSION, usage: NO_USAGE, degraded: false };
      return Promise.resolve(verdict);
    },
  };
}
