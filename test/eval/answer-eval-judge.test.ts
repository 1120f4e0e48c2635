import { describe, expect, it } from "vitest";
import { loadJudgeLabelled } from "../../bench/eval/answers/answer-sets.js";
import { judgeFloorFailures } from "../../bench/eval/answers/answer-floors.js";
import { evaluateJudge } from "../../bench/eval/answers/evaluate-judge.js";
import { runAnswerEval } from "../../bench/eval/answers/run-answer-eval.js";
import { JudgeNotWiredError } from "../../bench/eval/answers/eval-judge-source.js";
import { JUDGE_FLOORS } from "./answer-eval-floors.js";
import { createAlwaysSupportedJudgeTestDouble, createCitedWordsJudgeTestDouble } from "./judge-test-doubles.js";

describe("answer eval: the judge-labelled set through a GroundingJudge", () => {
  it("hands the judge each answer with its citations resolved to the labelled passages", async () => {
    const [item] = await loadJudgeLabelled();
    const requests: Parameters<ReturnType<typeof createAlwaysSupportedJudgeTestDouble>["judge"]>[0][] = [];
    const recording = createAlwaysSupportedJudgeTestDouble();
    await evaluateJudge({ version: recording.version, judge: (request) => (requests.push(request), recording.judge(request)) }, [item!], 0.8);
    const [request] = requests;
    expect(request!.answer).toBe(item!.answer);
    expect(request!.passages.map((passage) => passage.text)).toEqual(item!.passages);
    for (const citation of request!.citations) {
      const passage = request!.passages[citation.n - 1]!;
      expect(citation.chunkId).toBe(passage.id);
      expect(passage.text.slice(citation.start, citation.end)).toBe(citation.snippet);
    }
  });

  it("scores a judge that checks nothing as detecting nothing, and it fails the floors", async () => {
    const figures = await evaluateJudge(createAlwaysSupportedJudgeTestDouble(), await loadJudgeLabelled(), 0.8);
    expect(figures.answers).toBeGreaterThanOrEqual(40);
    expect(figures.sentences.unaligned).toBe(0);
    expect(figures.detectionRate).toBe(0);
    expect(figures.falseFlagRate).toBe(0);
    expect(figures.flags).toMatchObject({ truePositives: 0, falsePositives: 0, recall: 0, precision: null });
    expect(judgeFloorFailures(figures, JUDGE_FLOORS)).toEqual(expect.arrayContaining([expect.stringMatching(/^detection: 0.000 below/)]));
  });

  it("catches every uncited and every changed-number plant with a naive word-coverage judge", async () => {
    const figures = await evaluateJudge(createCitedWordsJudgeTestDouble(), await loadJudgeLabelled(), 0.8);
    expect(figures.sentences.unaligned).toBe(0);
    expect(figures.detectionByPlant.uncited!.detected).toBe(figures.detectionByPlant.uncited!.planted);
    expect(figures.detectionByPlant.number!.detected).toBe(figures.detectionByPlant.number!.planted);
    expect(figures.sentences.planted).toBe(Object.values(figures.detectionByPlant).reduce((sum, plant) => sum + plant.planted, 0));
    expect(figures.judgeVersion).toBe("test-double.cited-words");
  });

  it("builds the judge through the injected source and closes it", async () => {
    let closed = false;
    const results = await runAnswerEval({
      sets: ["judge-labelled"],
      overrides: {},
      judge: "local",
      startJudge: async () => ({ judge: createCitedWordsJudgeTestDouble(), minScore: 0.7, close: async () => void (closed = true) }),
    });
    expect(results.answers).toEqual([]);
    expect(results.judge).toMatchObject({ judgeVersion: "test-double.cited-words", minScore: 0.7 });
    expect(closed).toBe(true);
  });

  it("reports the judge set as not run, with the reason, when no judge can be built from config", async () => {
    const results = await runAnswerEval({
      sets: ["judge-labelled"],
      overrides: {},
      judge: "model",
      startJudge: async () => {
        throw new JudgeNotWiredError("the config schema refuses answer.judge");
      },
    });
    expect(results.judge).toBeNull();
    expect(results.judgeNotRun).toMatch(/the config schema refuses answer\.judge/);
  });

  it("propagates any other failure of the judge source", async () => {
    const failing = runAnswerEval({ sets: ["judge-labelled"], overrides: {}, judge: "local", startJudge: () => Promise.reject(new Error("disk full")) });
    await expect(failing).rejects.toThrow("disk full");
  });
});
