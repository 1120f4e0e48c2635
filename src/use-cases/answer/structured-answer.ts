import { z } from "zod";
import type { ChatModel } from "../../ports/chat-model.js";
import { generateStructured, parseStructured, structuredSpec, type Parsed, type StructuredRequest, type StructuredResult } from "./structured-output.js";

export type { StructuredAttempt } from "./structured-output.js";

/** What the answer model must return (validated on every response; nothing unvalidated goes out). */
export const answerOutputSchema = z.strictObject({
  answer: z.string().trim().min(1, "must be a non-empty string").max(20_000),
  citations: z.array(z.number().int().min(0)).max(100),
  context_sufficient: z.boolean(),
});
export type AnswerOutput = z.infer<typeof answerOutputSchema>;

export const answerOutputSpec = structuredSpec("answer", answerOutputSchema);

/** JSON schema sent as `response_format` (derived from the zod schema, so the two cannot drift). */
export const answerOutputJsonSchema: Record<string, unknown> = answerOutputSpec.jsonSchema;

export type ParsedOutput = Parsed<AnswerOutput>;

/** Parses and validates answer output; a ```json fence around the object is tolerated. Issues name the path. */
export function parseAnswerOutput(content: string): ParsedOutput {
  return parseStructured(answerOutputSpec, content);
}

export const REFINED_INSTRUCTION =
  'Output format reminder: reply with one JSON object only, exactly {"answer": string, "citations": [integers], "context_sufficient": boolean}, no other text.';

/** The refined retry's instruction: what was wrong with the earlier replies, then the format reminder (JSON mode). */
export function refinedInstruction(problems: string[], formatReminder: string | null = REFINED_INSTRUCTION): string {
  const wrong = problems.length > 0 ? `Your previous reply was rejected:\n${problems.map((problem) => `- ${problem}`).join("\n")}\n\n` : "";
  return `${wrong}${formatReminder ?? ""}`.trim();
}

/** generateStructured over the answer schema (see structured-output.ts for the retry order). */
export function generateStructuredAnswer(model: ChatModel, request: StructuredRequest): Promise<StructuredResult<AnswerOutput>> {
  return generateStructured(answerOutputSpec, model, request);
}
