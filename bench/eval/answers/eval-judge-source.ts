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

/** The service built from this config has no grounding judge (composeRuntime wired none for the mode asked). */
export class JudgeNotWiredError extends Error {
  constructor(detail: string) {
    super(`no grounding judge was built from config (${detail})`);
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

/**
 * Starts the service from `overrides` with `answer.judge.mode` set to `mode` (composeRuntime, as
 * `npm start` builds it) and returns the judge it wired (`deps.judge`), with `answer.judge.minScore`.
 * A config the schema refuses (e.g. `model` without `answer.provider: openai`) throws its validation
 * error; a runtime without a judge throws JudgeNotWiredError.
 */
export async function startEvalJudge(mode: EvalJudgeMode, overrides: Record<string, unknown>): Promise<EvalJudge> {
  const running = await startEvalRuntime(mergeOverrides(overrides, { answer: { judge: { mode } } }));
  const judge = running.runtime.deps.judge;
  if (!judge) {
    await running.close();
    throw new JudgeNotWiredError(`answer.judge.mode ${mode} gave composeRuntime no judge`);
  }
  return { judge, minScore: running.config.answer.judge.minScore, close: () => running.close() };
}
