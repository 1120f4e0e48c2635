import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { judgeFloorFailures } from "../../bench/eval/answers/answer-floors.js";
import { runAnswerEval } from "../../bench/eval/answers/run-answer-eval.js";
import { startOpenAiStandIn, type OpenAiStandIn } from "../helpers/openai-stand-in-server.js";
import { JUDGE_FLOORS } from "./answer-eval-floors.js";

// `--judge model`: the model judge built from config, at an OpenAI-compatible endpoint. No real model can
// be reached here, so the endpoint is the loopback stand-in (test/helpers), whose "judge" calls every
// sentence supported: a judge that checks nothing, which must fall below the judge floors.
describe("answer eval: --judge model against the loopback OpenAI-compatible stand-in", () => {
  let standIn: OpenAiStandIn;

  beforeAll(async () => {
    standIn = await startOpenAiStandIn();
  });

  afterAll(async () => {
    await standIn?.close();
  });

  it("judges every labelled answer through the model, metered, and a judge that flags nothing fails the floors", async () => {
    const overrides = {
      answer: { provider: "openai", model: "stand-in-main", judge: { mode: "model" } },
      openai: { baseUrl: standIn.baseUrl, apiKey: "sk-stand-in-0123456789", timeoutMs: 5_000 },
      prices: { "stand-in-main": { input: 1, output: 2 } },
    };
    const results = await runAnswerEval({ sets: ["judge-labelled"], overrides, judge: "model" });
    const figures = results.judge!;
    expect(results.judgeNotRun).toBeNull();
    expect(figures.answers).toBeGreaterThanOrEqual(40);
    expect(figures.degraded).toBe(0);
    expect(standIn.chatRequests().length).toBeGreaterThanOrEqual(figures.answers);
    expect(figures.costUsd).toBeGreaterThan(0);
    expect(figures.detectionRate).toBe(0);
    expect(judgeFloorFailures(figures, JUDGE_FLOORS)).toEqual(expect.arrayContaining([expect.stringMatching(/^detection: 0.000 below/)]));
  });
});
