import { JudgeNotWiredError, startEvalJudge } from "../../bench/eval/answers/eval-judge-source.js";

/**
 * Why no grounding judge can be built from config on this commit (the service does not know
 * `answer.judge` yet), or null when it can: tests that need the service's own judge skip with this reason.
 */
export async function judgeUnavailableReason(): Promise<string | null> {
  try {
    const judge = await startEvalJudge("local", {});
    await judge.close();
    return null;
  } catch (error) {
    if (error instanceof JudgeNotWiredError) return error.message;
    throw error;
  }
}
