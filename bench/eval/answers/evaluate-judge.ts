import { percentile } from "../../../src/core/eval/answer-metrics.js";
import {
  addSentenceCounts,
  alignVerdicts,
  countSentenceVerdicts,
  flagQuality,
  type FlagQuality,
  type SentenceJudgeCounts,
} from "../../../src/core/eval/judge-metrics.js";
import { sha256Hex } from "../../../src/core/documents.js";
import type { Citation, Passage } from "../../../src/core/answer/passages.js";
import type { GroundingJudge } from "../../../src/ports/grounding-judge.js";
import { EVAL_TENANT } from "../eval-runtime.js";
import type { JudgeLabelledAnswer } from "./answer-sets.js";

/** What a judge made of the labelled set, at one threshold. */
export interface JudgeFigures {
  judgeVersion: string;
  /** answer.judge.minScore the answer-level flags were computed at (an answer is flagged when its score is below it). */
  minScore: number;
  answers: number;
  sentences: SentenceJudgeCounts;
  /** Planted unsupported sentences judged unsupported or partly. */
  detectionRate: number | null;
  /** Supported sentences judged unsupported. */
  falseFlagRate: number | null;
  /** Detection per kind of plant (number, entity, absent, uncited). */
  detectionByPlant: Record<string, { planted: number; detected: number }>;
  flags: FlagQuality;
  /** Verdicts the judge could not give (degraded): such answers are never flagged. */
  degraded: number;
  costUsd: number;
  latencyMs: { p50: number | null; p95: number | null };
}

const MARKER = /\[(\d+)\]/g;

/** The passages of a labelled answer as the judge port receives them (chunk id `<item>-p<n>`). */
function passagesOf(item: JudgeLabelledAnswer): Passage[] {
  return item.passages.map((text, index) => ({
    id: `${item.id}-p${index + 1}`,
    text,
    metadata: { documentId: item.id, title: "", source: "judge-labelled", page: null, contentHash: sha256Hex(text) },
    scores: { fused: 1 },
  }));
}

/** One citation per distinct "[n]" marker of the answer that names a passage, snippet = the whole passage. */
function citationsOf(answer: string, passages: readonly Passage[]): Citation[] {
  const numbers = [...new Set([...answer.matchAll(MARKER)].map((match) => Number(match[1])))];
  return numbers
    .filter((n) => n >= 1 && n <= passages.length)
    .map((n) => {
      const passage = passages[n - 1]!;
      return { n, documentId: passage.metadata.documentId, chunkId: passage.id, start: 0, end: passage.text.length, score: 1, snippet: passage.text };
    });
}

const rate = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/**
 * Runs `judge` on every labelled answer (one at a time, so latency is the judge's own) and scores its
 * per-sentence verdicts against the labels (core/eval/judge-metrics), and its answer-level flags
 * (score < minScore, degraded verdicts never flag) against "has a planted sentence".
 */
export async function evaluateJudge(judge: GroundingJudge, items: readonly JudgeLabelledAnswer[], minScore: number): Promise<JudgeFigures> {
  let sentences: SentenceJudgeCounts = { planted: 0, detected: 0, supported: 0, falseFlags: 0, unaligned: 0 };
  const byPlant: Record<string, { planted: number; detected: number }> = {};
  const flags: Array<{ flawed: boolean; flagged: boolean }> = [];
  const latencies: number[] = [];
  let degraded = 0;
  let costUsd = 0;
  for (const item of items) {
    const passages = passagesOf(item);
    const started = performance.now();
    const verdict = await judge.judge({
      tenant: EVAL_TENANT,
      question: item.question,
      answer: item.answer,
      citations: citationsOf(item.answer, passages),
      passages,
    });
    latencies.push(performance.now() - started);
    costUsd += verdict.usage.costUsd;
    if (verdict.degraded) degraded += 1;
    const aligned = alignVerdicts(item.sentences, verdict.sentences);
    sentences = addSentenceCounts(sentences, countSentenceVerdicts(item.sentences, aligned));
    item.sentences.forEach((sentence, index) => {
      if (sentence.label !== "unsupported") return;
      const plant = (byPlant[sentence.plant ?? "unspecified"] ??= { planted: 0, detected: 0 });
      plant.planted += 1;
      if (aligned[index] === "unsupported" || aligned[index] === "partly") plant.detected += 1;
    });
    flags.push({ flawed: item.sentences.some((sentence) => sentence.label === "unsupported"), flagged: !verdict.degraded && verdict.score < minScore });
  }
  return {
    judgeVersion: judge.version,
    minScore,
    answers: items.length,
    sentences,
    detectionRate: rate(sentences.detected, sentences.planted),
    falseFlagRate: rate(sentences.falseFlags, sentences.supported),
    detectionByPlant: byPlant,
    flags: flagQuality(flags),
    degraded,
    costUsd,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
  };
}
