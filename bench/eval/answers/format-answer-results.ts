import { markdownTable, ratio } from "../format-results.js";
import type { JudgeFigures } from "./evaluate-judge.js";
import type { AnswerEvalResults, AnswerSetResult } from "./run-answer-eval.js";

const ANSWER_HEADER = [
  "answerer (model, prompt_version)",
  "accuracy",
  "citation precision",
  "answerable refused",
  "unanswerable refused",
  "refusal correct",
  "degraded",
  "review needed",
  "cost / answer (USD)",
  "cost total (USD)",
  "latency p50 / p95 (ms)",
];

const milliseconds = (value: number | null): string => (value === null ? "–" : value.toFixed(value < 10 ? 1 : 0));
const usd = (value: number): string => value.toFixed(6);
const rate = (value: number | null): string => (value === null ? "–" : value.toFixed(3));

function answerTable(result: AnswerSetResult): string {
  const figures = result.figures;
  const row = [
    `${figures.model ?? "–"}, ${figures.promptVersion ?? "–"}`,
    ratio(figures.accuracy),
    ratio(figures.citationPrecision),
    ratio(figures.answerableRefused),
    ratio(figures.unanswerableRefused),
    ratio(figures.refusalCorrect),
    ratio(figures.degraded),
    ratio(figures.reviewNeeded),
    usd(figures.costUsd.perAnswer),
    usd(figures.costUsd.total),
    `${milliseconds(figures.latencyMs.p50)} / ${milliseconds(figures.latencyMs.p95)}`,
  ];
  const unanswerable = figures.unanswerableRefused.of;
  const title = `### answers: ${result.set} — ${result.documents} documents (${result.ingest.indexed} indexed, ${result.ingest.failed} failed), ${figures.questions} questions (${unanswerable} unanswerable)`;
  return `${title}\n\n${markdownTable(ANSWER_HEADER, [row])}\n`;
}

const JUDGE_HEADER = [
  "judge_version",
  "minScore",
  "answers",
  "detection (planted judged unsupported/partly)",
  "false flags (supported judged unsupported)",
  "flag precision",
  "flag recall",
  "unaligned sentences",
  "degraded",
  "cost total (USD)",
  "latency p50 / p95 (ms)",
];

function judgeTable(figures: JudgeFigures): string {
  const { sentences, flags } = figures;
  const row = [
    figures.judgeVersion,
    String(figures.minScore),
    String(figures.answers),
    `${rate(figures.detectionRate)} (${sentences.detected}/${sentences.planted})`,
    `${rate(figures.falseFlagRate)} (${sentences.falseFlags}/${sentences.supported})`,
    `${rate(flags.precision)} (${flags.truePositives}/${flags.truePositives + flags.falsePositives})`,
    `${rate(flags.recall)} (${flags.truePositives}/${flags.truePositives + flags.falseNegatives})`,
    String(sentences.unaligned),
    String(figures.degraded),
    usd(figures.costUsd),
    `${milliseconds(figures.latencyMs.p50)} / ${milliseconds(figures.latencyMs.p95)}`,
  ];
  const byPlant = Object.entries(figures.detectionByPlant)
    .map(([plant, counts]) => `${plant} ${counts.detected}/${counts.planted}`)
    .join(", ");
  return `### judge: judge-labelled — ${figures.answers} answers\n\n${markdownTable(JUDGE_HEADER, [row])}\n\nDetection by planted kind: ${byPlant}.\n`;
}

/** One Markdown table per set (SQuAD, golden, judge-labelled), never an average over sets. */
export function formatAnswerResults(results: AnswerEvalResults): string {
  const tables = results.answers.map(answerTable);
  if (results.judge) tables.push(judgeTable(results.judge));
  if (results.judgeNotRun) tables.push(`### judge: judge-labelled — not run\n\n${results.judgeNotRun}\n`);
  return tables.join("\n");
}

/** The line under each run's heading naming what answered and what judged. */
export function describeAnswerRun(results: AnswerEvalResults): string {
  const answerers = [...new Set(results.answers.map((result) => `${result.figures.model ?? "–"} (prompt_version ${result.figures.promptVersion ?? "–"})`))];
  const answered = answerers.length > 0 ? `answerer: ${answerers.join(", ")}` : "answerer: not run";
  return `${answered}; judge_version: ${results.judge?.judgeVersion ?? "not run"}`;
}

/** Appended under every answer run's tables; eval/README.md defines each column. */
export const ANSWER_COLUMN_NOTES =
  "Columns are defined in eval/README.md, section Answers (accuracy: a gold span (SQuAD) or every expected fact (golden) in the answer, normalised; citation precision: cited chunks holding a span or fact; refusal: `answer_status: refused`; latency: one question at a time, in process).";
