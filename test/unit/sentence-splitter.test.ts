import { describe, expect, it } from "vitest";
import { splitSentences } from "../../src/core/text/sentence-splitter.js";

function texts(input: string): string[] {
  return splitSentences(input).map((sentence) => sentence.text);
}

const SAMPLES = [
  "Mr. Smith went to Washington. He met Dr. Jones at 3.5 p.m. today.",
  "The U.S. Army was founded in 1775. It fought e.g. in Europe.\nNext line here\n\nA new paragraph. Done!",
  "Intro:\n1. First item\n2. Second item\n- bullet one\n* bullet two\n• bullet three",
  '  He said "Stop." Then he left.  Why? Nobody knows…  ',
  "This line is hard\nwrapped in the middle. John F. Kennedy was president.\r\n\r\n---\r\nEnd.",
  "Prices rose 2.5% in Q3 (see Fig. 4). Revenue was $3.2 million, i.e. more than expected.",
  "# Heading\nSome text without a final period",
  "Über die Straße. Café au lait! 東京は日本の首都です。大阪は大きい。",
  "",
  "   \n\n  ",
];

describe("splitSentences", () => {
  it.each(SAMPLES.map((sample) => [sample]))("gives exact, trimmed, ordered, non-overlapping offsets for %j", (sample) => {
    const sentences = splitSentences(sample);
    let previousEnd = 0;
    for (const sentence of sentences) {
      expect(sample.slice(sentence.start, sentence.end)).toBe(sentence.text);
      expect(sentence.text).toBe(sentence.text.trim());
      expect(sentence.text.length).toBeGreaterThan(0);
      expect(sentence.start).toBeGreaterThanOrEqual(previousEnd);
      previousEnd = sentence.end;
    }
  });

  it("does not split after titles, initials, dotted acronyms, e.g./i.e. or inside decimals", () => {
    expect(texts(SAMPLES[0]!)).toEqual(["Mr. Smith went to Washington.", "He met Dr. Jones at 3.5 p.m. today."]);
    expect(texts("The U.S. Army is big. It is old.")).toEqual(["The U.S. Army is big.", "It is old."]);
    expect(texts("John F. Kennedy was president. He was shot.")).toEqual(["John F. Kennedy was president.", "He was shot."]);
    expect(texts("Use a cache, e.g. Redis. It helps.")).toEqual(["Use a cache, e.g. Redis.", "It helps."]);
    expect(texts(SAMPLES[5]!)).toEqual(["Prices rose 2.5% in Q3 (see Fig. 4).", "Revenue was $3.2 million, i.e. more than expected."]);
  });

  it("treats paragraph breaks, list items and headings as boundaries", () => {
    expect(texts(SAMPLES[1]!)).toEqual(["The U.S. Army was founded in 1775.", "It fought e.g. in Europe.", "Next line here", "A new paragraph.", "Done!"]);
    expect(texts(SAMPLES[2]!)).toEqual(["Intro:", "1. First item", "2. Second item", "- bullet one", "* bullet two", "• bullet three"]);
    expect(texts(SAMPLES[6]!)).toEqual(["# Heading", "Some text without a final period"]);
  });

  it("joins hard-wrapped lines and drops pieces without words", () => {
    expect(texts(SAMPLES[4]!)).toEqual(["This line is hard\nwrapped in the middle.", "John F. Kennedy was president.", "End."]);
  });

  it("handles quotes, other punctuation and other scripts", () => {
    expect(texts(SAMPLES[3]!)).toEqual(['He said "Stop."', "Then he left.", "Why?", "Nobody knows…"]);
    expect(texts(SAMPLES[7]!)).toEqual(["Über die Straße.", "Café au lait!", "東京は日本の首都です。", "大阪は大きい。"]);
  });

  it("returns no sentence for empty or blank text", () => {
    expect(splitSentences("")).toEqual([]);
    expect(splitSentences("   \n\n  ")).toEqual([]);
  });

  it("splits a block far longer than one segmenting window exactly as it splits its sentences one by one", () => {
    const sentences = Array.from({ length: 3_000 }, (_, index) =>
      index % 7 === 0
        ? `Mr. Smith met Dr. Jones at gate ${index}.`
        : index % 5 === 0
          ? `Was it U.S. Army crate ${index}?`
          : `Crate ${index} held e.g. rope and 3.5 kg of nails.`,
    );
    const text = sentences.join(" ");
    expect(text.length).toBeGreaterThan(100_000);
    expect(splitSentences(text).map((sentence) => sentence.text)).toEqual(sentences);
    const spans = splitSentences(text);
    for (const span of spans) expect(text.slice(span.start, span.end)).toBe(span.text);
  });
});
