import { z } from "zod";
import type { ChatMessage, ChatModel, TokenUsage } from "../../ports/chat-model.js";

/** What the answer model must return (validated on every response; nothing unvalidated goes out). */
export const answerOutputSchema = z.strictObject({
  answer: z.string().trim().min(1, "must be a non-empty string").max(20_000),
  citations: z.array(z.number().int().min(0)).max(100),
  context_sufficient: z.boolean(),
});
export type AnswerOutput = z.infer<typeof answerOutputSchema>;

/** JSON schema sent as `response_format` (derived from the zod schema, so the two cannot drift). */
export const answerOutputJsonSchema: Record<string, unknown> = (() => {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(answerOutputSchema) as Record<string, unknown>;
  return schema;
})();

export type ParsedOutput = { ok: true; value: AnswerOutput } | { ok: false; issues: string[] };

/** Parses and validates model output; a ```json fence around the object is tolerated. Issues name the path. */
export function parseAnswerOutput(content: string): ParsedOutput {
  const unfenced = content
    .trim()
    .replace(/^```(?:json)?\s*\n?([\s\S]*?)\n?```$/i, "$1")
    .trim();
  let json: unknown;
  try {
    json = JSON.parse(unfenced);
  } catch (error) {
    return { ok: false, issues: [`the reply is not valid JSON (${(error as Error).message})`] };
  }
  const result = answerOutputSchema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`) };
}

export interface StructuredAttempt {
  kind: "initial" | "repair" | "refined";
  model: string;
  usage: TokenUsage;
  latencyMs: number;
  valid: boolean;
  issues: string[];
}

export interface StructuredResult {
  /** null when every attempt was invalid: the caller degrades. */
  value: AnswerOutput | null;
  attempts: StructuredAttempt[];
}

/** The repair turn: the exact validation errors, and the instruction to reply with corrected JSON only. */
function repairInstruction(issues: string[]): string {
  return `Your reply did not match the required JSON format. Validation errors:\n${issues.map((issue) => `- ${issue}`).join("\n")}\nReply again with only the corrected JSON object.`;
}

export const REFINED_INSTRUCTION =
  'Output format reminder: reply with one JSON object only, exactly {"answer": string, "citations": [integers], "context_sufficient": boolean}, no other text.';

/**
 * Asks for structured output and validates it: on failure one repair turn sending back the exact
 * validation errors, then one fresh attempt with the refined prompt (`refinedMessages`), then gives
 * up with `value: null`. Upstream errors (after the policy's retries) propagate to the caller.
 */
export async function generateStructuredAnswer(
  model: ChatModel,
  request: {
    messages: ChatMessage[];
    refinedMessages: ChatMessage[];
    maxTokens: number;
    signal?: AbortSignal;
    onAttempt?: (attempt: StructuredAttempt) => void;
  },
): Promise<StructuredResult> {
  const attempts: StructuredAttempt[] = [];
  const run = async (kind: StructuredAttempt["kind"], messages: ChatMessage[]) => {
    const started = performance.now();
    const result = await model.generate({
      messages,
      schema: answerOutputJsonSchema,
      schemaName: "answer",
      maxTokens: request.maxTokens,
      signal: request.signal,
    });
    const parsed = parseAnswerOutput(result.content);
    const attempt: StructuredAttempt = {
      kind,
      model: result.model,
      usage: result.usage,
      latencyMs: performance.now() - started,
      valid: parsed.ok,
      issues: parsed.ok ? [] : parsed.issues,
    };
    attempts.push(attempt);
    request.onAttempt?.(attempt);
    return { parsed, content: result.content };
  };

  const first = await run("initial", request.messages);
  if (first.parsed.ok) return { value: first.parsed.value, attempts };
  const repair = await run("repair", [
    ...request.messages,
    { role: "assistant", content: first.content },
    { role: "user", content: repairInstruction(first.parsed.issues) },
  ]);
  if (repair.parsed.ok) return { value: repair.parsed.value, attempts };
  const refined = await run("refined", request.refinedMessages);
  if (refined.parsed.ok) return { value: refined.parsed.value, attempts };
  return { value: null, attempts };
}
