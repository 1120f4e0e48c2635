import { normalizeAnswerText } from "./answer-metrics.js";

/** A judge's support verdict for one sentence (the GroundingJudge port's SentenceSupport, restated so core imports nothing). */
export type JudgedSupport = "supported" | "partly" | "unsupported";

/** A hand-labelled answer sentence: supported by its cited passage, or planted unsupported. */
export interface LabelledSentence {
  text: string;
  label: "supported" | "unsupported";
}

/**
 * Pairs each labelled sentence with the judge's verdict on the same sentence: the judged sentence whose
 * text equals it after normalizeAnswerText (citation markers, case and punctuation ignored), else the
 * judged sentence at the same index when the judge split the answer into as many sentences; null when
 * the judge gave no verdict that can be matched (it split the answer differently).
 */
export function alignVerdicts(
  labelled: readonly LabelledSentence[],
  judged: ReadonlyArray<{ index: number; text: string; support: JudgedSupport }>,
): Array<JudgedSupport | null> {
  const byText = new Map<string, JudgedSupport>();
  for (const sentence of judged) byText.set(normalizeAnswerText(sentence.text), sentence.support);
  const sameCount = judged.length === labelled.length;
  return labelled.map((sentence, index) => {
    const matched = byText.get(normalizeAnswerText(sentence.text));
    if (matched !== undefined) return matched;
    return sameCount ? (judged.find((candidate) => candidate.index === index)?.support ?? null) : null;
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
