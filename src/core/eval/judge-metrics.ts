import { normalizeAnswerText } from "./answer-metrics.js";

/** A judge's support verdict for one sentence (the GroundingJudge port's SentenceSupport, restated so core imports nothing). */
export type JudgedSupport = "supported" | "partly" | "unsupported";

/** A hand-labelled answer sentence: supported by its cited passage, or planted unsupported. */
export interface LabelledSentence {
  text: string;
  label: "supported" | "unsupported";
}

const WEAKEST_FIRST: readonly JudgedSupport[] = ["unsupported", "partly", "supported"];

/**
 * Pairs each labelled sentence with the judge's verdict on it, whatever the judge's own sentence split
 * (texts compared after normalizeAnswerText, so citation markers, case and punctuation do not matter):
 * 1. the judged sentence with the same text;
 * 2. else the first judged sentence containing it (the judge merged it with a neighbour);
 * 3. else the weakest verdict among the judged sentences it contains (the judge split it in pieces);
 * 4. else, when the judge split the answer into as many sentences, the one at the same index;
 * null when none applies.
 */
export function alignVerdicts(
  labelled: readonly LabelledSentence[],
  judged: ReadonlyArray<{ index: number; text: string; support: JudgedSupport }>,
): Array<JudgedSupport | null> {
  const pieces = judged.map((sentence) => ({ ...sentence, words: ` ${normalizeAnswerText(sentence.text)} ` })).filter((piece) => piece.words.trim() !== "");
  return labelled.map((sentence, index) => {
    const words = ` ${normalizeAnswerText(sentence.text)} `;
    const same = pieces.find((piece) => piece.words === words) ?? pieces.find((piece) => piece.words.includes(words));
    if (same) return same.support;
    const parts = pieces.filter((piece) => words.includes(piece.words));
    if (parts.length > 0) return WEAKEST_FIRST.find((support) => parts.some((part) => part.support === support))!;
    return judged.length === labelled.length ? (judged.find((candidate) => candidate.index === index)?.support ?? null) : null;
  });
}

/** Counts over labelled sentences: planted ones the judge caught, and supported ones it flagged. */
export interface SentenceJudgeCounts {
  /** Unsupported (planted) sentences, and those judged `unsupported` or `partly`. */
  planted: number;
  detected: number;
  /** Supported sentences, and those judged `unsupported` (a false flag; `partly` is not counted as one). */
  supported: number;
  falseFlags: number;
  /** Labelled sentences without a matching verdict (counted as not detected / not flagged). */
  unaligned: number;
}

/**
 * Detection and false flags over one answer's labelled sentences and their aligned verdicts
 * (alignVerdicts): a planted sentence is detected when judged `unsupported` or `partly`; a supported
 * sentence is falsely flagged when judged `unsupported`. A sentence with no verdict is neither.
 */
export function countSentenceVerdicts(labelled: readonly LabelledSentence[], verdicts: ReadonlyArray<JudgedSupport | null>): SentenceJudgeCounts {
  const counts: SentenceJudgeCounts = { planted: 0, detected: 0, supported: 0, falseFlags: 0, unaligned: 0 };
  labelled.forEach((sentence, index) => {
    const verdict = verdicts[index] ?? null;
    if (verdict === null) counts.unaligned += 1;
    if (sentence.label === "unsupported") {
      counts.planted += 1;
      if (verdict === "unsupported" || verdict === "partly") counts.detected += 1;
    } else {
      counts.supported += 1;
      if (verdict === "unsupported") counts.falseFlags += 1;
    }
  });
  return counts;
}

/** Sums per-answer counts. */
export function addSentenceCounts(total: SentenceJudgeCounts, more: SentenceJudgeCounts): SentenceJudgeCounts {
  return {
    planted: total.planted + more.planted,
    detected: total.detected + more.detected,
    supported: total.supported + more.supported,
    falseFlags: total.falseFlags + more.falseFlags,
    unaligned: total.unaligned + more.unaligned,
  };
}

/** Answer-level flagging: precision and recall of "score below minScore" against "has a planted sentence". */
export interface FlagQuality {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** Flagged answers that have a planted sentence; null when nothing was flagged. */
  precision: number | null;
  /** Answers with a planted sentence that were flagged; null when no answer has one. */
  recall: number | null;
}

/** Precision and recall of answer flags: `flawed` = labelled with an unsupported sentence, `flagged` = judged below the threshold. */
export function flagQuality(answers: ReadonlyArray<{ flawed: boolean; flagged: boolean }>): FlagQuality {
  const truePositives = answers.filter((answer) => answer.flawed && answer.flagged).length;
  const falsePositives = answers.filter((answer) => !answer.flawed && answer.flagged).length;
  const falseNegatives = answers.filter((answer) => answer.flawed && !answer.flagged).length;
  const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);
  return {
    truePositives,
    falsePositives,
    falseNegatives,
    precision: ratio(truePositives, truePositives + falsePositives),
    recall: ratio(truePositives, truePositives + falseNegatives),
  };
}
