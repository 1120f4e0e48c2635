import { readdir, readFile } from "node:fs/promises";
import { extname, join, parse } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { EvalFile } from "../eval-runtime.js";

/** The committed golden set: documents (md, html, txt) and questions with expected facts (eval/data/golden). */
export const GOLDEN_DIR = fileURLToPath(new URL("../../../eval/data/golden/", import.meta.url));
/** The committed judge-labelled answers with planted unsupported sentences. */
export const JUDGE_LABELLED_PATH = fileURLToPath(new URL("../../../eval/data/judge-labelled.jsonl", import.meta.url));

const goldenQuestionSchema = z.strictObject({
  id: z.string().min(1),
  question: z.string().min(1),
  /** Strings that must all appear in the answer (compared after normalizeAnswerText); empty for unanswerable questions. */
  expected_facts: z.array(z.string().min(1)),
  answerable: z.boolean(),
  /** Documents (file name without extension) that hold the facts. */
  doc_ids: z.array(z.string().min(1)).optional(),
});
export type GoldenQuestion = z.infer<typeof goldenQuestionSchema>;

const labelledSentenceSchema = z.strictObject({
  text: z.string().min(1),
  label: z.enum(["supported", "unsupported"]),
  /** How an unsupported sentence was planted. */
  plant: z.enum(["number", "entity", "absent", "uncited"]).optional(),
});
const judgeLabelledSchema = z.strictObject({
  id: z.string().min(1),
  question: z.string().min(1),
  /** Passage texts in prompt order: "[n]" in the answer is passages[n - 1]. */
  passages: z.array(z.string().min(1)).min(1),
  /** The sentences joined by one space, with their "[n]" markers. */
  answer: z.string().min(1),
  sentences: z.array(labelledSentenceSchema).min(1),
});
export type JudgeLabelledAnswer = z.infer<typeof judgeLabelledSchema>;

export interface GoldenSet {
  /** One file per document; the id is the file name without its extension. */
  files: EvalFile[];
  questions: GoldenQuestion[];
}

/** Parses JSON lines with `schema`; a bad line is an error naming the file and line. */
async function readValidatedLines<T>(path: string, schema: z.ZodType<T>): Promise<T[]> {
  const lines = (await readFile(path, "utf8")).split("\n");
  const rows: T[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    const parsed = schema.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${path}:${index + 1}: ${z.prettifyError(parsed.error)}`);
    rows.push(parsed.data);
  });
  return rows;
}

/**
 * The golden set: every file of `documents/` and the questions of `questions.jsonl`. Checks that ids
 * are unique, that an answerable question has expected facts and an unanswerable one has none, and that
 * every `doc_ids` entry names a document.
 */
export async function loadGoldenSet(directory = GOLDEN_DIR): Promise<GoldenSet> {
  const documentsDirectory = join(directory, "documents");
  const names = (await readdir(documentsDirectory)).filter((name) => [".md", ".html", ".txt"].includes(extname(name))).sort();
  const files = await Promise.all(
    names.map(async (name) => ({ id: parse(name).name, name, bytes: new Uint8Array(await readFile(join(documentsDirectory, name))) })),
  );
  const questions = await readValidatedLines(join(directory, "questions.jsonl"), goldenQuestionSchema);
  const documentIds = new Set(files.map((file) => file.id));
  const seen = new Set<string>();
  for (const question of questions) {
    if (seen.has(question.id)) throw new Error(`golden set: question id "${question.id}" repeats`);
    seen.add(question.id);
    if (question.answerable !== question.expected_facts.length > 0)
      throw new Error(`golden set: "${question.id}" must have expected facts exactly when it is answerable`);
    const unknown = question.doc_ids?.find((id) => !documentIds.has(id));
    if (unknown !== undefined) throw new Error(`golden set: "${question.id}" names document "${unknown}", which is not in ${documentsDirectory}`);
  }
  return { files, questions };
}

/** The judge-labelled answers; each answer must be its sentences joined by one space. */
export async function loadJudgeLabelled(path = JUDGE_LABELLED_PATH): Promise<JudgeLabelledAnswer[]> {
  const rows = await readValidatedLines(path, judgeLabelledSchema);
  for (const row of rows) {
    if (row.answer !== row.sentences.map((sentence) => sentence.text).join(" ")) throw new Error(`${path}: "${row.id}": answer is not its sentences joined`);
  }
  return rows;
}
