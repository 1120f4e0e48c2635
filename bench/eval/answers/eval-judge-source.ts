import { z } from "zod";
import type { GroundingJudge } from "../../../src/ports/grounding-judge.js";
import { startEvalRuntime } from "../eval-runtime.js";

/** Which judge `--judge` asks for: the offline support check or the model judge (config `answer.judge.mode`). */
export type EvalJudgeMode = "local" | "model";

/** A judge built as the service builds it, with the threshold its config sets. */
export interface EvalJudge {
  judge: GroundingJudge;
  /** answer.judge.minScore of the same config. */
  minScore: number;
  close(): Promise<void>;
}

/** The service on this commit cannot build a grounding judge from config (the judge is not wired into compose). */
export class JudgeNotWiredError extends Error {
  constructor(detail: string) {
    super(
      `no grounding judge can be built from config on this commit (${detail}). ` +
        "The harness expects config answer.judge.{mode,minScore} and a GroundingJudge among composeRuntime's deps (the `judge` branch).",
    );
    this.name = "JudgeNotWiredError";
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** `base` with `patch` merged in, objects key by key (a patch value that is not an object replaces). */
export function mergeOverrides(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch))
    merged[key] = isPlainObject(value) && isPlainObject(merged[key]) ? mergeOverrides(merged[key], value) : value;
  return merged;
}

/** The schema does not know `answer.judge` at all (a config the schema knows but finds wrong is the user's error, reported as it is). */
const refusesJudgeKey = (error: unknown): boolean =>
  error instanceof z.ZodError && error.issues.some((issue) => issue.code === "unrecognized_keys" && issue.keys.includes("judge"));

const isGroundingJudge = (value: unknown): value is GroundingJudge =>
  isPlainObject(value) && typeof value.judge === "function" && typeof value.version === "string";

/**
 * Starts the service from `overrides` with `answer.judge.mode` set to `mode` (composeRuntime, as
 * `npm start` builds it) and returns the GroundingJudge it built, with `answer.judge.minScore`.
 * Throws JudgeNotWiredError when the config schema has no `answer.judge` or the runtime exposes no judge.
 */
export async function startEvalJudge(mode: EvalJudgeMode, overrides: Record<string, unknown>): Promise<EvalJudge> {
  let running;
  try {
    running = await startEvalRuntime(mergeOverrides(overrides, { answer: { judge: { mode } } }));
  } catch (error) {
    if (refusesJudgeKey(error)) throw new JudgeNotWiredError("the config schema refuses answer.judge");
    throw error;
  }
  const judge = Object.values(running.runtime.deps as unknown as Record<string, unknown>).find(isGroundingJudge);
  const minScore = (running.config.answer as { judge?: { minScore?: number } }).judge?.minScore;
  if (!judge || typeof minScore !== "number") {
    await running.close();
    throw new JudgeNotWiredError(judge ? "answer.judge.minScore is not a number" : "composeRuntime's deps hold no GroundingJudge");
  }
  return { judge, minScore, close: () => running.close() };
}
