import { describe, expect, it } from "vitest";
import { answerSentences } from "../../src/core/answer/answer-sentences.js";
import { answerExtractively } from "../../src/core/answer/extractive-answerer.js";

const texts = (text: string) => answerSentences(text).map((sentence) => sentence.text);

describe("answerSentences", () => {
  it("rejoins a sentence cut after a citation abbreviation", () => {
    expect(texts("It led to the case of FCC v. Pacifica Foundation. Then more.")).toEqual(["It led to the case of FCC v. Pacifica Foundation.", "Then more."]);
    expect(texts("Supported by Jones et al. 1998 and Briffa 2000. Next one.")).toEqual(["Supported by Jones et al. 1998 and Briffa 2000.", "Next one."]);
    // "et al." before a capitalised sentence start does end the sentence.
    expect(texts("This was shown by Jones et al. The result held.")).toEqual(["This was shown by Jones et al.", "The result held."]);
  });

  it("rejoins a piece that does not end like a sentence with the next piece of its paragraph", () => {
    const text = "The O\n2 partial pressure is about 30 kPa. Next.";
    expect(texts(text)).toEqual(["The O\n2 partial pressure is about 30 kPa.", "Next."]);
    for (const sentence of answerSentences(text)) expect(text.slice(sentence.start, sentence.end)).toBe(sentence.text);
  });

  it("never joins across a blank line or into a heading", () => {
    expect(texts("A caption without a period\n\nThe paragraph. Another.")).toEqual(["A caption without a period", "The paragraph.", "Another."]);
    expect(texts("# Install\nRun the installer.")).toEqual(["# Install", "Run the installer."]);
  });
});

describe("answerExtractively with passage titles", () => {
  const passage = (id: string, title: string, text: string) => ({
    id,
    text,
    metadata: { documentId: id, title, source: `${id}.txt`, page: null, contentHash: id },
    scores: { fused: 1 },
  });

  it("reads the title as context: the passage about the question's subject wins a tie", () => {
    const hits = [
      passage("bed", "Zeolite", "The sieve stayed in its bed for nine hours."),
      passage("tesla", "Nikola_Tesla", "He stayed in bed for nine months."),
    ];
    const result = answerExtractively({ question: "How long was Tesla in bed?", hits, maxSentences: 1 });
    expect(result.citations[0]!.documentId).toBe("tesla");
    // Without titles the better-ranked passage wins the tie.
    const untitled = hits.map((hit) => ({ ...hit, metadata: { ...hit.metadata, title: "" } }));
    expect(answerExtractively({ question: "How long was Tesla in bed?", hits: untitled, maxSentences: 1 }).citations[0]!.documentId).toBe("bed");
    // The title is never quoted.
    expect(result.answer).not.toMatch(/Nikola/);
  });
});
