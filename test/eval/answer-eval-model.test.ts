import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerFloorFailures } from "../../bench/eval/answers/answer-floors.js";
import { readConfigOverrides } from "../../bench/eval/answers/read-config-overrides.js";
import { runAnswerEval, type AnswerEvalResults } from "../../bench/eval/answers/run-answer-eval.js";
import { startOpenAiStandIn, type OpenAiStandIn } from "../helpers/openai-stand-in-server.js";
import { ANSWER_FLOORS } from "./answer-eval-floors.js";

// The `--config` path of the answer eval: a model answerer at an OpenAI-compatible endpoint. No real
// model can be reached here, so the endpoint is the loopback stand-in (test/helpers), whose "model"
// answers with the first sentence of the first passage: a deliberately weak answerer.
describe("answer eval with a model answerer from a --config file (loopback OpenAI-compatible stand-in)", () => {
  let standIn: OpenAiStandIn;
  let directory: string;
  let results: AnswerEvalResults;

  beforeAll(async () => {
    standIn = await startOpenAiStandIn();
    directory = await mkdtemp(join(tmpdir(), "ragline-answer-eval-config-"));
    const path = join(directory, "model.yaml");
    await writeFile(
      path,
      [
        "answer:",
        "  provider: openai",
        "  model: stand-in-main",
        "openai:",
        `  baseUrl: ${standIn.baseUrl}`,
        "  timeoutMs: 5000",
        "prices:",
        "  stand-in-main: { input: 1, output: 2 }",
        "",
      ].join("\n"),
    );
    const overrides = await readConfigOverrides(path, { OPENAI_API_KEY: "sk-stand-in-0123456789" });
    results = await runAnswerEval({ sets: ["golden"], overrides, judge: "local" });
  }, 120_000);

  afterAll(async () => {
    await standIn?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("fills the API key from OPENAI_API_KEY only when the file names an endpoint without one", async () => {
    const path = join(directory, "keyed.yaml");
    await writeFile(path, "openai:\n  baseUrl: http://127.0.0.1:9/v1\n  apiKey: from-file\n");
    expect(await readConfigOverrides(path, { OPENAI_API_KEY: "from-env" })).toMatchObject({ openai: { apiKey: "from-file" } });
    await writeFile(path, "answer:\n  maxSentences: 2\n");
    expect(await readConfigOverrides(path, { OPENAI_API_KEY: "from-env" })).toEqual({ answer: { maxSentences: 2 } });
    await writeFile(path, "- not a mapping\n");
    await expect(readConfigOverrides(path)).rejects.toThrow(/expected a YAML mapping/);
  });

  it("answers through the model, naming it with its prompt version and pricing every answer", () => {
    const [golden] = results.answers;
    const answered = golden!.figures.questions - golden!.figures.answerableRefused.count - golden!.figures.unanswerableRefused.count;
    expect(golden!.figures).toMatchObject({ model: "stand-in-main", promptVersion: "answer.v1" });
    expect(standIn.chatRequests().length).toBeGreaterThanOrEqual(answered);
    expect(answered).toBeGreaterThan(0);
    expect(golden!.figures.costUsd.total).toBeGreaterThan(0);
    expect(golden!.figures.costUsd.perAnswer).toBeCloseTo(golden!.figures.costUsd.total / golden!.figures.questions, 12);
  });

  it("falls below the offline floors with this weak answerer: the floors can fail", () => {
    const failures = answerFloorFailures(results.answers[0]!.figures, ANSWER_FLOORS.golden);
    expect(failures).toEqual(expect.arrayContaining([expect.stringMatching(/^accuracy: .* below the floor/)]));
  });
});
