import { describe, expect, it } from "vitest";
import { checkSupport, splitAnswer } from "../../../src/core/answer/support-check.js";
import type { Passage } from "../../../src/core/answer/passages.js";

function passage(n: number, text: string): Passage {
  return {
    id: `chunk-${n}`,
    text,
    metadata: { documentId: `doc-${n}`, title: "", source: `doc-${n}.txt`, page: null, contentHash: `h${n}` },
    scores: { fused: 0.5 },
  };
}

const PASSAGES = [
  passage(1, "Mount Etna is an active stratovolcano on the east coast of Sicily. It is 3,357 metres high and erupted 12 times between 2000 and 2020."),
  passage(2, "Sourdough bread is leavened with a culture of wild yeast and lactic acid bacteria. The starter is fed with flour and water every day."),
];

describe("checkSupport (the local grounding judge)", () => {
  it("supports sentences whose stemmed words and numbers are in the cited passage, with inflections and a thousands separator", () => {
    const check = checkSupport({
      answer: "Mount Etna is an active volcano on Sicily's east coast [1]. It erupted 12 times between 2000 and 2020 and is 3357 metres high. [1]",
      passages: PASSAGES,
    });
    expect(check.sentences.map((sentence) => sentence.support)).toEqual(["supported", "supported"]);
    expect(check.sentences[1]!.citation).toBe(1);
    expect(check.score).toBe(1);
  });

  it("finds a changed number unsupported even when every word matches", () => {
    const check = checkSupport({ answer: "Mount Etna erupted 15 times between 2000 and 2020 [1].", passages: PASSAGES });
    expect(check.sentences[0]).toMatchObject({ support: "unsupported", citation: 1 });
    expect(check.sentences[0]!.reason).toContain("15");
    expect(check.score).toBe(0);
  });

  it("checks a sentence against the passage it cites, not another one", () => {
    const check = checkSupport({ answer: "Sourdough starter is fed with flour and water every day [1].", passages: PASSAGES });
    expect(check.sentences[0]!.support).toBe("unsupported");
    const right = checkSupport({ answer: "Sourdough starter is fed with flour and water every day [2].", passages: PASSAGES });
    expect(right.sentences[0]!.support).toBe("supported");
  });

  it("rates a sentence with some added claims as partly supported, and scores it half", () => {
    const check = checkSupport({
      answer: "Sourdough bread is leavened with wild yeast and baked in stone ovens [2]. The starter is fed every day [2].",
      passages: PASSAGES,
    });
    expect(check.sentences[0]).toMatchObject({ support: "partly" });
    expect(check.sentences[0]!.reason).toMatch(/stone|oven/);
    expect(check.sentences[1]!.support).toBe("supported");
    expect(check.score).toBe(0.75);
  });

  it("finds an uncited claim unsupported but lets a refusal and a connective go without a citation", () => {
    const check = checkSupport({
      answer: "In short: Etna is the tallest volcano in Europe. The documents do not say when it last erupted.",
      passages: PASSAGES,
    });
    expect(check.sentences.map((sentence) => [sentence.support, sentence.citation])).toEqual([
      ["unsupported", null],
      ["supported", null],
    ]);
    expect(check.sentences[0]!.reason).toBe("cites no passage");
  });

  it("ignores citation markers pointing outside the passages", () => {
    const check = checkSupport({ answer: "Mount Etna is on Sicily [7].", passages: PASSAGES });
    expect(check.sentences[0]).toMatchObject({ support: "unsupported", citation: null });
  });

  it("does not see a flipped negation (a documented limit)", () => {
    const check = checkSupport({ answer: "Mount Etna is not an active stratovolcano [1].", passages: PASSAGES });
    expect(check.sentences[0]!.support).toBe("supported");
  });

  it("resolves markers through the answer's citations (the extractive answerer numbers them in order of appearance)", () => {
    const answer = "The starter is fed with flour and water every day. [1] Mount Etna is on the east coast of Sicily. [2]";
    const citations = [
      { n: 1, chunkId: "chunk-2" },
      { n: 2, chunkId: "chunk-1" },
    ];
    expect(checkSupport({ answer, passages: PASSAGES, citations }).score).toBe(1);
    expect(checkSupport({ answer, passages: PASSAGES }).score).toBe(0);
  });

  it("keeps a trailing marker with its sentence", () => {
    expect(splitAnswer("Etna is in Sicily. [1] Bread needs yeast. [2]")).toEqual(["Etna is in Sicily. [1]", "Bread needs yeast. [2]"]);
  });
});
