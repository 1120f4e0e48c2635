import { describe, expect, it } from "vitest";
import { answerExtractively, type ExtractiveAnswer } from "../../src/core/answer/extractive-answerer.js";
import type { SearchHit } from "../../src/ports/vector-store.js";

function hit(id: string, text: string, fused = 0.5): SearchHit {
  return {
    id,
    tenant: "tenant-a",
    text,
    metadata: {
      documentId: `document-${id}`,
      title: id,
      source: `${id}.txt`,
      chunkIndex: 0,
      start: 0,
      end: text.length,
      headingPath: [],
      page: null,
      contentHash: "hash",
      embeddingModel: "local-hash-v1-d512",
    },
    scores: { dense: fused, text: null, denseRank: 1, textRank: null, fused, relevance: fused },
  };
}

function expectExactCitations(result: ExtractiveAnswer, hits: SearchHit[]): void {
  for (const citation of result.citations) {
    const cited = hits[citation.hitIndex]!;
    expect(cited.text.slice(citation.start, citation.end)).toBe(citation.snippet);
    expect(citation.chunkId).toBe(cited.id);
    expect(citation.documentId).toBe(cited.metadata.documentId);
  }
  const markers = [...(result.answer ?? "").matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1]));
  expect(markers).toEqual(result.citations.map((citation) => citation.n));
  expect(markers).toEqual(markers.map((_, index) => index + 1));
}

const HITS = [
  hit(
    "castle",
    "Edinburgh Castle stands on Castle Rock. The castle was besieged many times during the Middle Ages.\n\n" +
      "The One O'Clock Gun is fired from the castle every day except Sunday. It was first fired in 1861 to help ships set their clocks.",
    0.9,
  ),
  hit("weather", "Edinburgh has a temperate maritime climate. Winters are mild and summers are cool. Rain falls on most days.", 0.6),
  hit("festival", "The Edinburgh Festival Fringe is the largest arts festival in the world. It takes place every August.", 0.4),
];

describe("answerExtractively", () => {
  it("chooses the sentence that answers the question over distractors, with exact offsets", () => {
    const result = answerExtractively({ question: "When was the gun first fired?", hits: HITS, maxSentences: 1 });
    expect(result.answer).toBe("It was first fired in 1861 to help ships set their clocks. [1]");
    expect(result.citations).toHaveLength(1);
    expect(result.citations[0]).toMatchObject({ n: 1, hitIndex: 0, chunkId: "castle", documentId: "document-castle" });
    expectExactCitations(result, HITS);
    const sunday = answerExtractively({ question: "On which day is the One O'Clock Gun not fired?", hits: HITS, maxSentences: 1 });
    expect(sunday.citations[0]!.snippet).toBe("The One O'Clock Gun is fired from the castle every day except Sunday.");
  });

  it("puts the most relevant sentence in the answer even when it is in a lower-ranked hit", () => {
    const result = answerExtractively({ question: "When does the Festival Fringe take place?", hits: HITS });
    expect(result.answer).toContain("It takes place every August.");
    expect(result.citations[0]!.hitIndex).toBe(2);
    expectExactCitations(result, HITS);
  });

  it("gives each quoted sentence its own citation, numbered 1..k in answer order", () => {
    const result = answerExtractively({ question: "Tell me about the castle gun fired every day, first fired in 1861", hits: HITS, maxSentences: 3 });
    expect(result.citations.length).toBeGreaterThanOrEqual(2);
    expect(result.citations.length).toBeLessThanOrEqual(3);
    expectExactCitations(result, HITS);
    for (const citation of result.citations) expect(result.answer).toContain(`${citation.snippet} [${citation.n}]`);
  });

  it("keeps citation offsets exact in chunks with wrapped lines, abbreviations and leading whitespace", () => {
    const hits = [hit("memo", "  Memo from Dr. Watson:\n\n- The U.S. office opens at 9 a.m. on Mondays.\n- The London office\nopens at 8 a.m. daily.\n")];
    const result = answerExtractively({ question: "When does the London office open?", hits, maxSentences: 2 });
    const best = [...result.citations].sort((left, right) => right.score - left.score)[0]!;
    expect(best.snippet).toBe("- The London office\nopens at 8 a.m. daily.");
    expect(result.answer).toContain(`- The London office opens at 8 a.m. daily. [${best.n}]`);
    expectExactCitations(result, hits);
  });

  it("returns null and no citations when no sentence shares a term with the question", () => {
    expect(answerExtractively({ question: "What is the GDP of Brazil?", hits: HITS })).toEqual({ answer: null, citations: [] });
    expect(answerExtractively({ question: "What is it?", hits: HITS })).toEqual({ answer: null, citations: [] });
    expect(answerExtractively({ question: "castle", hits: [] })).toEqual({ answer: null, citations: [] });
  });

  it("quotes a repeated sentence from overlapping chunks only once", () => {
    const sentence = "The reactor was shut down in 1986 after the accident.";
    const hits = [hit("first", `Intro text about plants. ${sentence}`), hit("second", `${sentence} Cleanup took decades.`)];
    const result = answerExtractively({ question: "When was the reactor shut down?", hits });
    expect(result.citations.filter((citation) => citation.snippet === sentence)).toHaveLength(1);
    expect(result.citations[0]!.hitIndex).toBe(0);
    expectExactCitations(result, hits);
  });

  it("respects maxSentences and maxChars, cutting a lone long sentence at a word boundary", () => {
    const long = hit("long", `The archive holds ${"many old letters and maps, ".repeat(20)}all catalogued.`);
    const result = answerExtractively({ question: "What does the archive hold?", hits: [long], maxChars: 60 });
    expect(result.citations).toHaveLength(1);
    expect(result.citations[0]!.snippet.length).toBeLessThanOrEqual(60);
    expect(result.citations[0]!.snippet.startsWith("The archive holds")).toBe(true);
    expect(result.citations[0]!.snippet).not.toMatch(/[\s,]$/);
    expectExactCitations(result, [long]);
    const limited = answerExtractively({ question: "Edinburgh castle festival climate", hits: HITS, maxSentences: 2 });
    expect(limited.citations.length).toBeLessThanOrEqual(2);
  });

  it("is deterministic and reports sentence scores on request", () => {
    const request = { question: "How is the climate in Edinburgh?", hits: HITS, includeSentenceScores: true };
    const first = answerExtractively(request);
    expect(answerExtractively(request)).toEqual(first);
    expect(first.sentenceScores!.length).toBeGreaterThan(0);
    const scores = first.sentenceScores!.map((entry) => entry.score);
    expect(scores).toEqual([...scores].sort((left, right) => right - left));
    expect(first.citations[0]!.snippet).toBe("Edinburgh has a temperate maritime climate.");
  });
});
