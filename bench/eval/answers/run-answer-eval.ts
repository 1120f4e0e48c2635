import { ingestDocuments, ingestFiles, startEvalRuntime, type EvalRuntime } from "../eval-runtime.js";
import { loadSquad, sampleSet } from "../eval-sets.js";
import { loadGoldenSet, loadJudgeLabelled } from "./answer-sets.js";
import { JudgeNotWiredError, startEvalJudge, type EvalJudge, type EvalJudgeMode } from "./eval-judge-source.js";
import { evaluateJudge, type JudgeFigures } from "./evaluate-judge.js";
import { answerQuestions, summarizeAnswers, type AnswerItem, type AnswerSetFigures } from "./evaluate-answers.js";

/** The sets `--answers` knows. */
export const ANSWER_SETS = ["squad", "golden", "judge-labelled"] as const;
export type AnswerSetName = (typeof ANSWER_SETS)[number];

export interface AnswerEvalOptions {
  sets: readonly AnswerSetName[];
  /** Config overrides (the shape of ragline.config.yaml), e.g. a model answerer; `{}` runs the offline defaults. */
  overrides: Record<string, unknown>;
  /** SQuAD only: seeded sample of questions, and of documents (every judged one plus random ones up to N). */
  limitQueries?: number;
  limitDocs?: number;
  judge: EvalJudgeMode;
  /** Builds the judge; by default as the service builds it from the same overrides (startEvalJudge). */
  startJudge?: (mode: EvalJudgeMode, overrides: Record<string, unknown>) => Promise<EvalJudge>;
  log?: (line: string) => void;
}

export interface AnswerSetResult {
  set: "squad" | "golden";
  documents: number;
  ingest: { indexed: number; failed: number; seconds: number };
  figures: AnswerSetFigures;
}

export interface AnswerEvalResults {
  answers: AnswerSetResult[];
  /** Null when the judge-labelled set was not asked for or no judge could be built. */
  judge: JudgeFigures | null;
  /** Why the judge-labelled set was asked for but not run (no judge can be built from config on this commit); null otherwise. */
  judgeNotRun: string | null;
}

/** Runs `items` on a fresh embedded service that holds only the documents `ingest` uploads. */
async function runAnswerSet(
  set: AnswerSetResult["set"],
  overrides: Record<string, unknown>,
  ingest: (running: EvalRuntime) => Promise<{ indexed: number; failed: number; seconds: number }>,
  documents: number,
  items: readonly AnswerItem[],
  log: (line: string) => void,
): Promise<AnswerSetResult> {
  const running = await startEvalRuntime(overrides);
  try {
    const report = await ingest(running);
    log(`${set}: ${report.indexed} indexed, ${report.failed} failed in ${report.seconds.toFixed(1)} s; ${items.length} questions`);
    const figures = summarizeAnswers(await answerQuestions(running, items));
    return { set, documents, ingest: { indexed: report.indexed, failed: report.failed, seconds: report.seconds }, figures };
  } finally {
    await running.close();
  }
}

/**
 * The answer eval: SQuAD (gold spans; `limitQueries`/`limitDocs` sample it) and the golden set (expected
 * facts, unanswerable questions) answered through the service, each on its own fresh service; the
 * judge-labelled set through a GroundingJudge built from the same config (reported as not run, with
 * the reason, when this commit's service cannot build one).
 */
export async function runAnswerEval(options: AnswerEvalOptions): Promise<AnswerEvalResults> {
  const log = options.log ?? (() => {});
  const results: AnswerEvalResults = { answers: [], judge: null, judgeNotRun: null };
  if (options.sets.includes("squad")) {
    const squad = sampleSet(await loadSquad(), { limitQueries: options.limitQueries, limitDocs: options.limitDocs });
    const items = squad.queries.map((query) => ({ id: query.id, question: query.text, answerable: true, facts: query.answers ?? [], match: "any" as const }));
    const ingest = async (running: EvalRuntime) => ingestDocuments(running, squad.documents);
    results.answers.push(await runAnswerSet("squad", options.overrides, ingest, squad.documents.length, items, log));
  }
  if (options.sets.includes("golden")) {
    const golden = await loadGoldenSet();
    const items = golden.questions.map((question) => ({
      id: question.id,
      question: question.question,
      answerable: question.answerable,
      facts: question.expected_facts,
      match: "all" as const,
    }));
    results.answers.push(await runAnswerSet("golden", options.overrides, (running) => ingestFiles(running, golden.files), golden.files.length, items, log));
  }
  if (options.sets.includes("judge-labelled")) {
    const labelled = await loadJudgeLabelled();
    let judge: EvalJudge;
    try {
      judge = await (options.startJudge ?? startEvalJudge)(options.judge, options.overrides);
    } catch (error) {
      // The answer sets' figures are kept: the run reports the judge set as not run, with the reason.
      if (!(error instanceof JudgeNotWiredError)) throw error;
      results.judgeNotRun = error.message;
      log(`judge-labelled: not run: ${error.message}`);
      return results;
    }
    try {
      results.judge = await evaluateJudge(judge.judge, labelled, judge.minScore);
      log(`judge-labelled: ${labelled.length} answers judged by ${results.judge.judgeVersion}`);
    } finally {
      await judge.close();
    }
  }
  return results;
}
