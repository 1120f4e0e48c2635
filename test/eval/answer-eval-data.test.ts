import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { DomUtils, parseDocument } from "htmlparser2";
import { describe, expect, it } from "vitest";
import { GOLDEN_DIR, loadGoldenSet, loadJudgeLabelled } from "../../bench/eval/answers/answer-sets.js";
import { containsGoldSpan, normalizeAnswerText } from "../../src/core/eval/answer-metrics.js";

const decoder = new TextDecoder();
const textOf = (name: string, bytes: Uint8Array): string =>
  name.endsWith(".html") ? DomUtils.textContent(parseDocument(decoder.decode(bytes))) : decoder.decode(bytes);

describe("answer eval data: the golden set", () => {
  it("has at least 40 questions, at least 10 of them unanswerable, over md, html and txt documents under 1 MB", async () => {
    const golden = await loadGoldenSet();
    expect(golden.questions.length).toBeGreaterThanOrEqual(40);
    expect(golden.questions.filter((question) => !question.answerable).length).toBeGreaterThanOrEqual(10);
    expect(new Set(golden.files.map((file) => file.name.split(".").pop()))).toEqual(new Set(["md", "html", "txt"]));
    expect(golden.files.reduce((sum, file) => sum + file.bytes.length, 0)).toBeLessThan(1_000_000);
  });

  it("finds every expected fact of an answerable question in the text of a document it names", async () => {
    const golden = await loadGoldenSet();
    const texts = new Map(golden.files.map((file) => [file.id, textOf(file.name, file.bytes)]));
    for (const question of golden.questions.filter((candidate) => candidate.answerable)) {
      expect(question.doc_ids?.length, question.id).toBeGreaterThan(0);
      for (const fact of question.expected_facts) {
        const found = question.doc_ids!.some((id) => containsGoldSpan(texts.get(id)!, [fact]));
        expect(found, `${question.id}: "${fact}"`).toBe(true);
      }
    }
  });

  it("names the source and licence of every document in SOURCES.md", async () => {
    const golden = await loadGoldenSet();
    const sources = await readFile(join(GOLDEN_DIR, "SOURCES.md"), "utf8");
    for (const file of golden.files) expect(sources, file.name).toContain(file.name);
    expect((await stat(join(GOLDEN_DIR, "questions.jsonl"))).size).toBeGreaterThan(0);
  });
});

describe("answer eval data: the judge-labelled set", () => {
  it("has at least 40 answers, clean ones and every kind of plant", async () => {
    const items = await loadJudgeLabelled();
    expect(items.length).toBeGreaterThanOrEqual(40);
    expect(items.filter((item) => item.sentences.every((sentence) => sentence.label === "supported")).length).toBeGreaterThanOrEqual(10);
    const plants = new Set(items.flatMap((item) => item.sentences.map((sentence) => sentence.plant)).filter(Boolean));
    expect(plants).toEqual(new Set(["number", "entity", "absent", "uncited"]));
  });

  it("labels consistently: a plant kind exactly on unsupported sentences, markers only on cited ones and naming a passage", async () => {
    for (const item of await loadJudgeLabelled()) {
      for (const sentence of item.sentences) {
        const markers = [...sentence.text.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1]));
        expect(sentence.plant !== undefined, `${item.id}: ${sentence.text}`).toBe(sentence.label === "unsupported");
        expect(markers.length === 0, `${item.id}: ${sentence.text}`).toBe(sentence.plant === "uncited");
        for (const n of markers) expect(n, item.id).toBeLessThanOrEqual(item.passages.length);
      }
    }
  });

  it("plants a changed number that its cited passage does not contain", async () => {
    for (const item of await loadJudgeLabelled()) {
      for (const sentence of item.sentences.filter((candidate) => candidate.plant === "number")) {
        const passage = normalizeAnswerText(item.passages[Number(/\[(\d+)\]/.exec(sentence.text)![1]) - 1]!).split(" ");
        const numbers = normalizeAnswerText(sentence.text)
          .split(" ")
          .filter((word) => /\d/.test(word));
        expect(
          numbers.some((number) => !passage.includes(number)),
          `${item.id}: ${sentence.text}`,
        ).toBe(true);
      }
    }
  });
});
