import type { AnswerFloors, JudgeFloors } from "../../bench/eval/answers/answer-floors.js";

/**
 * Floors of the offline answer eval (extractive answerer, schema defaults) on the CI slice: SQuAD dev
 * seeded 100 questions / 300 documents, the golden set whole. Measured when set
 * (`npm run eval -- --answers --set squad --set golden --limit-queries 100 --limit-docs 300 --no-append`):
 * SQuAD accuracy 94/100, citation precision 205/241 = 0.851, answerable refused 3/100;
 * golden accuracy 36/42 = 0.857, citation precision 86/114 = 0.754, answerable refused 0/42,
 * refusal correct 49/54 = 0.907, unanswerable refused 7/12 = 0.583.
 * Margins: about three questions (SQuAD 0.03; golden 0.07 on 42 answerable, 0.17 on 12 unanswerable);
 * raise the floors when answers improve.
 */
export const ANSWER_FLOORS: Record<"squad" | "golden", AnswerFloors> = {
  squad: { accuracy: 0.91, citationPrecision: 0.8, answerableRefusedCeiling: 0.06 },
  golden: { accuracy: 0.78, citationPrecision: 0.68, answerableRefusedCeiling: 0.05, refusalCorrect: 0.85, unanswerableRefused: 0.41 },
};

/**
 * Floors of the local grounding judge (`answer.judge.mode: local`, its default minScore 0.6) on
 * eval/data/judge-labelled.jsonl. Measured through this harness, first on the `judge` branch (0b41684), then
 * the same on main after its merge (`npm run eval -- --answers --set judge-labelled --no-append`):
 * detection 21/30 = 0.70 (number 6/8, entity 3/10, absent 7/7, uncited 5/5), false flags
 * 1/40 = 0.025, flag precision 20/20, recall 20/30 = 0.667. Margins: about three sentences or answers.
 */
export const JUDGE_FLOORS: JudgeFloors = { detection: 0.6, falseFlagCeiling: 0.1, flagPrecision: 0.85, flagRecall: 0.56 };
