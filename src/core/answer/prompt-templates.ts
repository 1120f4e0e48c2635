import type { Passage } from "./passages.js";

/** One chat message of a rendered prompt (the ChatModel port's message shape). */
export interface PromptMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export type OutputMode = "json" | "text";

/** One versioned prompt file: the static system text for each output mode. */
export interface PromptTemplate {
  /** e.g. "answer.v1"; carried by every answer, log line and metric. */
  version: string;
  system: Record<OutputMode, string>;
}

export interface PromptTemplates {
  answer: PromptTemplate;
  fallback: PromptTemplate;
}

const OUTPUT_MARKER = /^<!-- output: (json|text) -->$/m;

/** Splits the text of a prompt file into the shared instructions and its `<!-- output: json|text -->` sections. */
export function parsePromptFile(text: string, version: string): PromptTemplate {
  const parts = text.replace(/\r\n/g, "\n").split(OUTPUT_MARKER);
  const common = (parts[0] ?? "").trim();
  const sections: Partial<Record<OutputMode, string>> = {};
  for (let index = 1; index + 1 < parts.length; index += 2) sections[parts[index] as OutputMode] = (parts[index + 1] ?? "").trim();
  if (!common || !sections.json || !sections.text)
    throw new Error(`prompt ${version} needs instructions and both <!-- output: json --> and <!-- output: text --> sections`);
  return { version, system: { json: `${common}\n\n${sections.json}`, text: `${common}\n\n${sections.text}` } };
}

/** Neutralises anything in quoted text that could close or open our delimiters. */
export function escapeDelimiters(text: string): string {
  return text.replace(/<(\/?)(documents?|question|situation|examples?|answer)\b/gi, "&lt;$1$2");
}

function attribute(value: string): string {
  return escapeDelimiters(value).replace(/"/g, "&quot;").replace(/\s+/g, " ").slice(0, 200);
}

/** One passage as it appears in the prompt; its token count is what the budget charges for it. */
export function formatPassage(hit: Passage, n: number): string {
  const title = hit.metadata.title ? ` title="${attribute(hit.metadata.title)}"` : "";
  const page = hit.metadata.page !== null ? ` page="${hit.metadata.page}"` : "";
  return `<document index="${n}" source="${attribute(hit.metadata.source || hit.metadata.documentId)}"${title}${page}>\n${escapeDelimiters(hit.text)}\n</document>\n`;
}

export function formatQuestion(question: string): string {
  return `<question>\n${escapeDelimiters(question)}\n</question>`;
}

/** One reviewed question/answer pair as it appears in the prompt (quoted as data); its token count is what the example budget charges. */
export function formatExample(example: { id: string; question: string; answer: string }): string {
  return `<example id="${attribute(example.id)}">\n${formatQuestion(example.question)}\n<answer>\n${escapeDelimiters(example.answer)}\n</answer>\n</example>\n`;
}

const EXAMPLES_PREAMBLE = "Reviewed answers to similar earlier questions, for form and precision only: they are not sources, never cite them.";

/**
 * Messages for the answer prompt, laid out for provider prefix caching: the static system text
 * (byte-identical for every request of a prompt version and mode, with or without examples), then
 * the reviewed examples when any (already formatted, see formatExample), the retrieved passages, and
 * the question last. `passages` are already formatted (see formatPassage) and trimmed to budget.
 */
export function buildAnswerMessages(
  template: PromptTemplate,
  mode: OutputMode,
  passages: string[],
  question: string,
  extraInstruction?: string,
  examples: string[] = [],
): PromptMessage[] {
  const tail = extraInstruction ? `\n\n${extraInstruction}` : "";
  const shown = examples.length > 0 ? `<examples>\n${EXAMPLES_PREAMBLE}\n${examples.join("")}</examples>\n\n` : "";
  return [
    { role: "system", content: template.system[mode] },
    { role: "user", content: `${shown}<documents>\n${passages.join("")}</documents>\n\n${formatQuestion(question)}${tail}` },
  ];
}

export type FallbackReason = "unavailable" | "empty";

const SITUATIONS: Record<FallbackReason, string> = {
  unavailable: "The document store is unavailable right now, so no passage could be retrieved.",
  empty: "No passage of the documents was relevant enough to this question.",
};

/** Messages for the non-retrieval (fallback) prompt: static system text, the situation, the question last. */
export function buildFallbackMessages(
  template: PromptTemplate,
  mode: OutputMode,
  reason: FallbackReason,
  question: string,
  extraInstruction?: string,
): PromptMessage[] {
  const tail = extraInstruction ? `\n\n${extraInstruction}` : "";
  return [
    { role: "system", content: template.system[mode] },
    { role: "user", content: `<situation>${SITUATIONS[reason]}</situation>\n\n${formatQuestion(question)}${tail}` },
  ];
}
