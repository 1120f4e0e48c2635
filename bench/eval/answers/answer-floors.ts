import type { Share } from "../evaluate-set.js";
import type { AnswerSetFigures } from "./evaluate-answers.js";
import type { JudgeFigures } from "./evaluate-judge.js";

/** Floors (and ceilings) on one answer set's figures; an absent key is not checked. */
export interface AnswerFloors {
  accuracy: number;
  citationPrecision: number;
  /** Highest share of answerable questions that may be refused. */
  answerableRefusedCeiling: number;
  refusalCorrect?: number;
  unanswerableRefused?: number;
}

/** Floors on the judge's figures over the labelled set. */
export interface JudgeFloors {
  detection: number;
  /** Highest share of supported sentences that may be judged unsupported. */
  falseFlagCeiling: number;
  flagPrecision: number;
  flagRecall: number;
}

const shareValue = (share: Share): number | null => (share.of === 0 ? null : share.count / share.of);

type Check = { name: string; value: number | null; floor?: number; ceiling?: number };

/** One line per figure below its floor or above its ceiling (or not measured at all); empty when every check passes. */
function failures(checks: readonly Check[]): string[] {
  return checks.flatMap((check) => {
    if (check.floor === undefined && check.ceiling === undefined) return [];
    if (check.value === null) return [`${check.name}: not measured`];
    if (check.floor !== undefined && check.value < check.floor) return [`${check.name}: ${check.value.toFixed(3)} below the floor ${check.floor}`];
    if (check.ceiling !== undefined && check.value > check.ceiling) return [`${check.name}: ${check.value.toFixed(3)} above the ceiling ${check.ceiling}`];
    return [];
  });
}

/** Where an answer set falls below its floors (empty: it meets them all). */
export function answerFloorFailures(figures: AnswerSetFigures, floors: AnswerFloors): string[] {
  return failures([
    { name: "accuracy", value: shareValue(figures.accuracy), floor: floors.accuracy },
    { name: "citation precision", value: shareValue(figures.citationPrecision), floor: floors.citationPrecision },
    { name: "answerable refused", value: shareValue(figures.answerableRefused), ceiling: floors.answerableRefusedCeiling },
    { name: "refusal correct", value: shareValue(figures.refusalCorrect), floor: floors.refusalCorrect },
    { name: "unanswerable refused", value: shareValue(figures.unanswerableRefused), floor: floors.unanswerableRefused },
  ]);
}

/** Where a judge falls below its floors on the labelled set (empty: it meets them all). */
export function judgeFloorFailures(figures: JudgeFigures, floors: JudgeFloors): string[] {
  return failures([
    { name: "detection", value: figures.detectionRate, floor: floors.detection },
    { name: "false flags", value: figures.falseFlagRate, ceiling: floors.falseFlagCeiling },
    { name: "flag precision", value: figures.flags.precision, floor: floors.flagPrecision },
    { name: "flag recall", value: figures.flags.recall, floor: floors.flagRecall },
  ]);
}
