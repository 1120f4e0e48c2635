import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The off-topic questions are fixed before any threshold is tuned; this guards what makes them off-topic.

const OFF_TOPIC_PATH = fileURLToPath(new URL("../../eval/data/off-topic.jsonl", import.meta.url));
const SQUAD_PATH = fileURLToPath(new URL("../../../shared/data/squad/dev-v1.1.json", import.meta.url));
const NFCORPUS_CORPUS_PATH = fileURLToPath(new URL("../../../shared/data/nfcorpus/corpus.jsonl", import.meta.url));

interface OffTopicRow {
  id: string;
  text: string;
  kind: "unrelated" | "near-miss";
  set: string;
  derived_from?: { id: string; question: string };
  swapped_entity?: string;
}

const rows = readFileSync(OFF_TOPIC_PATH, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as OffTopicRow);

describe("eval/data/off-topic.jsonl", () => {
  it("holds at least 50 distinct questions, at least half of them near misses of a SQuAD question", () => {
    expect(rows.length).toBeGreaterThanOrEqual(50);
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    expect(new Set(rows.map((row) => row.text.toLowerCase())).size).toBe(rows.length);
    for (const row of rows) {
      expect(["unrelated", "near-miss"]).toContain(row.kind);
      expect(row.text.trim().length).toBeGreaterThan(5);
      expect(["squad", "nfcorpus", "squad+nfcorpus"]).toContain(row.set);
    }
    expect(rows.filter((row) => row.kind === "near-miss").length * 2).toBeGreaterThanOrEqual(rows.length);
  });

  it("derives each near miss from a real SQuAD dev question and swaps in an entity neither corpus mentions", () => {
    const squad = JSON.parse(readFileSync(SQUAD_PATH, "utf8")) as {
      data: Array<{ paragraphs: Array<{ context: string; qas: Array<{ id: string; question: string }> }> }>;
    };
    const questions = new Map(
      squad.data.flatMap((article) => article.paragraphs.flatMap((paragraph) => paragraph.qas.map((qa) => [qa.id, qa.question.trim()]))),
    );
    const corpora = [
      squad.data.flatMap((article) => article.paragraphs.map((paragraph) => paragraph.context)).join("\n"),
      readFileSync(NFCORPUS_CORPUS_PATH, "utf8"),
    ].map((text) => text.toLowerCase());
    for (const row of rows.filter((candidate) => candidate.kind === "near-miss")) {
      expect(row.derived_from, row.id).toBeDefined();
      expect(questions.get(row.derived_from!.id), row.id).toBe(row.derived_from!.question);
      expect(row.text).not.toBe(row.derived_from!.question);
      const entity = row.swapped_entity ?? "";
      expect(entity.length, row.id).toBeGreaterThan(2);
      expect(row.text.toLowerCase()).toContain(entity.toLowerCase());
      for (const corpus of corpora) expect(corpus.includes(entity.toLowerCase()), `${row.id}: "${entity}" occurs in a corpus`).toBe(false);
    }
  });
});
