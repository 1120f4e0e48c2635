import type { TokenCounter } from "../text/token-counter.js";

/** Tokens the chat format adds per message (role markers); a conservative constant across providers. */
export const MESSAGE_OVERHEAD_TOKENS = 8;

/**
 * How many of the ranked passages fit the input budget: passages are whole (never cut mid-chunk)
 * and dropped from the lowest-ranked end until the fixed text (system prompt, framing, question)
 * plus the kept passages fit. Returns -1 when even the fixed text alone does not fit.
 */
export function passagesWithinBudget(
  counter: TokenCounter,
  options: { budget: number; fixedTexts: string[]; passages: string[] },
): { kept: number; inputTokens: number } {
  let used = options.fixedTexts.reduce((sum, text) => sum + counter.count(text) + MESSAGE_OVERHEAD_TOKENS, 0);
  if (used > options.budget) return { kept: -1, inputTokens: used };
  let kept = 0;
  for (const passage of options.passages) {
    const cost = counter.count(passage);
    if (used + cost > options.budget) break;
    used += cost;
    kept++;
  }
  return { kept, inputTokens: used };
}

/**
 * How many of the examples (formatted, most similar first) fit `maxTokens`: the least similar are
 * dropped first, an example is never cut. 0 when even the first does not fit.
 */
export function examplesWithinBudget(counter: TokenCounter, examples: string[], maxTokens: number): number {
  let used = 0;
  let kept = 0;
  for (const example of examples) {
    used += counter.count(example);
    if (used > maxTokens) break;
    kept++;
  }
  return kept;
}
