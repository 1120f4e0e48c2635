import { beforeAll, describe, expect, it } from "vitest";
import { answerFloorFailures, judgeFloorFailures } from "../../bench/eval/answers/answer-floors.js";
import { startEvalJudge } from "../../bench/eval/answers/eval-judge-source.js";
import { loadGoldenSet, loadJudgeLabelled } from "../../bench/eval/answers/answer-sets.js";
import { evaluateJudge } from "../../bench/eval/answers/evaluate-judge.js";
import { runAnswerEval, type AnswerEvalResults } from "../../bench/eval/answers/run-answer-eval.js";
import { ANSWER_FLOORS, JUDGE_FLOORS } from "./answer-eval-floors.js";

// The offline answer eval on a fixed slice, through the real embedded service (extractive answerer,
// schema defaults): SQuAD dev seeded 100 questions / 300 documents, the golden set whole. Floors and the
// values they were set from are in ./answer-eval-floors.ts. The judge-labelled set is judged by the
// local judge the service builds from config (answer.judge.mode local), at its answer.judge.minScore.
describe("answer eval slice: offline floors", () => {
  let results: AnswerEvalResults;

  beforeAll(async () => {
    results = await runAnswerEval({ sets: ["squad", "golden"], overrides: {}, limitQueries: 100, limitDocs: 300, judge: "local" });
  }, 120_000);

  it("answers every question of the slice through the service, offline and free", async () => {
    const golden = await loadGoldenSet();
    const [squad, goldenResult] = results.answers;
    expect(squad).toMatchObject({ set: "squad", documents: 300, ingest: { indexed: 300, failed: 0 } });
    expect(squad!.figures.questions).toBe(100);
    expect(goldenResult).toMatchObject({ set: "golden", documents: golden.files.length, ingest: { indexed: golden.files.length, failed: 0 } });
    expect(goldenResult!.figures.questions).toBe(golden.questions.length);
    for (const result of results.answers) {
      expect(result.figures).toMatchObject({ model: "local-extractive", costUsd: { total: 0 } });
      expect(result.figures.latencyMs.p95).toBeGreaterThanOrEqual(result.figures.latencyMs.p50!);
    }
  });

  for (const set of ["squad", "golden"] as const) {
    it(`${set}: accuracy, citation precision and refusals stay within their floors`, () => {
      const result = results.answers.find((candidate) => candidate.set === set)!;
      expect(answerFloorFailures(result.figures, ANSWER_FLOORS[set])).toEqual([]);
    });
  }

  it("judge-labelled: the local judge meets its detection and false-flag floors", async () => {
    const judge = await startEvalJudge("local", {});
    try {
      const figures = await evaluateJudge(judge.judge, await loadJudgeLabelled(), judge.minScore);
      expect(figures.degraded).toBe(0);
      expect(judgeFloorFailures(figures, JUDGE_FLOORS)).toEqual([]);
    } finally {
      await judge.close();
    }
  });

  it("golden with the service's own judge on (answer.judge.mode local): every answered question carries a review verdict", async () => {
    const judged = await runAnswerEval({ sets: ["golden"], overrides: { answer: { judge: { mode: "local" } } }, judge: "local" });
    const figures = judged.answers[0]!.figures;
    const answered = figures.questions - figures.answerableRefused.count - figures.unanswerableRefused.count;
    expect(figures.reviewNeeded.of).toBe(answered);
    expect(results.answers.find((result) => result.set === "golden")!.figures.reviewNeeded.of).toBe(0);
  }, 60_000);
});
