import type { Citation, Passage } from "../core/answer/passages.js";
import type { AnswerUsage } from "./answerer.js";

/** How well one answer sentence is backed by the passage it cites. */
export type SentenceSupport = "supported" | "partly" | "unsupported";

export interface JudgedSentence {
  /** 0-based position of the sentence in the answer. */
  index: number;
  text: string;
  support: SentenceSupport;
  /** The citation marker ("[n]") the verdict relied on; null when the sentence cites nothing usable. */
  citation: number | null;
  /** Why it is not supported (a missing number, a term absent from the passage…); absent when supported. */
  reason?: string;
}

export interface GroundingVerdict {
  /** 0..1: the share of the answer backed by its citations (1 = every sentence supported). */
  score: number;
  sentences: JudgedSentence[];
  /** The judge's method and prompt version, recorded with the answer (`judge_version`). */
  judgeVersion: string;
  /** Tokens and cost of the judge's own model calls; zero for the local judge or a cached verdict. */
  usage: AnswerUsage;
  /** The verdict could not be obtained (a model judge's output never validated, or it failed): the answer is not flagged on it. */
  degraded: boolean;
}

export interface GroundingJudgeRequest {
  tenant: string;
  keyId?: string;
  question: string;
  /** The answer text with its "[n]" markers. */
  answer: string;
  citations: Citation[];
  /** The passages the answer was given, in prompt order: "[n]" is the passage of the citation numbered n (by chunk id), else passages[n - 1]. */
  passages: Passage[];
  signal?: AbortSignal;
}

/**
 * Port for checking that an answer is supported by the passages it cites (config `answer.judge`):
 * the local offline support check, or a model returning a zod-validated verdict.
 * Contract: never throws for a bad model output (it returns `degraded: true`); aborts with the signal.
 */
export interface GroundingJudge {
  readonly version: string;
  judge(request: GroundingJudgeRequest): Promise<GroundingVerdict>;
}

/** What an answer carries once judged: `needed` when its score is below `answer.judge.minScore` (it is then queued for review). */
export interface AnswerReview {
  needed: boolean;
  score: number;
  /** One line per unsupported or partly supported sentence (or why the verdict is missing). */
  reasons: string[];
}
