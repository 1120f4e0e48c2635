import { describe, expect, it } from "vitest";
import { describeAnswerRun, formatAnswerResults } from "../../bench/eval/answers/format-answer-results.js";
import { summarizeAnswers, type AnswerRecord } from "../../bench/eval/answers/evaluate-answers.js";

const record = (id: string, answerable: boolean, answerStatus: AnswerRecord["answerStatus"], correct: boolean, latencyMs: number): AnswerRecord => ({
  id,
  answerable,
  answerStatus,
  answer: answerStatus === "refused" ? "I could not find this in the documents." : "An answer [1].",
  correct,
  citations: answerable && answerStatus !== "refused" ? { supporting: correct ? 1 : 0, cited: 1 } : { supporting: 0, cited: 0 },
  costUsd: 0.001,
  latencyMs,
  model: "m",
  promptVersion: "answer.v2",
  reviewNeeded: answerStatus === "refused" ? null : !correct,
});

describe("answer eval figures and tables", () => {
  const records = [
    record("a", true, "answered", true, 10),
    record("b", true, "answered", false, 20),
    record("c", true, "refused", false, 30),
    record("d", false, "refused", false, 40),
    record("e", false, "answered", false, 50),
  ];

  it("sums records: accuracy and citations over answerable questions, refusals per kind, cost and nearest-rank latency", () => {
    expect(summarizeAnswers(records)).toEqual({
      questions: 5,
      accuracy: { count: 1, of: 3 },
      citationPrecision: { count: 1, of: 2 },
      answerableRefused: { count: 1, of: 3 },
      unanswerableRefused: { count: 1, of: 2 },
      refusalCorrect: { count: 3, of: 5 },
      degraded: { count: 0, of: 5 },
      reviewNeeded: { count: 2, of: 3 },
      costUsd: { total: expect.closeTo(0.005, 12), perAnswer: expect.closeTo(0.001, 12) },
      latencyMs: { p50: 30, p95: 50 },
      model: "m",
      promptVersion: "answer.v2",
    });
  });

  it("prints one table per set with the answerer and prompt version, and why the judge set did not run", () => {
    const results = {
      answers: [{ set: "golden" as const, documents: 12, ingest: { indexed: 12, failed: 0, seconds: 1 }, figures: summarizeAnswers(records) }],
      judge: null,
      judgeNotRun: "no grounding judge can be built",
    };
    const tables = formatAnswerResults(results);
    expect(tables).toContain("### answers: golden — 12 documents (12 indexed, 0 failed), 5 questions (2 unanswerable)");
    expect(tables).toContain(
      "| m, answer.v2 | 0.333 (1/3) | 0.500 (1/2) | 0.333 (1/3) | 0.500 (1/2) | 0.600 (3/5) | 0.000 (0/5) | 0.667 (2/3) | 0.001000 | 0.005000 | 30 / 50 |",
    );
    expect(tables).toContain("### judge: judge-labelled — not run\n\nno grounding judge can be built");
    expect(describeAnswerRun(results)).toBe("answerer: m (prompt_version answer.v2); judge_version: not run");
  });
});
