import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parsePromptFile, type PromptTemplates } from "../../core/answer/prompt-templates.js";

/** `prompts/` at the repository root. */
export const DEFAULT_PROMPT_DIRECTORY = fileURLToPath(new URL("../../../prompts/", import.meta.url));

/**
 * Reads `answer.<version>.md` and `fallback.<version>.md` from `directory` (default `prompts/`) and
 * parses them; called once at start-up, so a missing or malformed prompt file stops the process.
 */
export function loadPromptTemplates(options: { version: string; directory?: string }): PromptTemplates {
  const directory = (options.directory ?? DEFAULT_PROMPT_DIRECTORY).replace(/\/?$/, "/");
  const read = (name: string) => parsePromptFile(readFileSync(`${directory}${name}.${options.version}.md`, "utf8"), `${name}.${options.version}`);
  return { answer: read("answer"), fallback: read("fallback") };
}

/** Reads `judge.<version>.md` (one static system text, no output sections); a missing file stops start-up. */
export function loadJudgePrompt(options: { version: string; directory?: string }): { version: string; system: string } {
  const directory = (options.directory ?? DEFAULT_PROMPT_DIRECTORY).replace(/\/?$/, "/");
  const system = readFileSync(`${directory}judge.${options.version}.md`, "utf8").replace(/\r\n/g, "\n").trim();
  if (!system) throw new Error(`prompt judge.${options.version} is empty`);
  return { version: `judge.${options.version}`, system };
}
