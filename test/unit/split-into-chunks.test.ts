import { describe, expect, it } from "vitest";
import type { ParsedDocument } from "../../src/ports/parser.js";
import { headingPathAt, pageAt, splitIntoChunks } from "../../src/core/text/split-into-chunks.js";
import { createTokenCounter } from "../../src/core/text/token-counter.js";

const tokens = createTokenCounter();

function markdown(text: string): ParsedDocument {
  const headings = [...text.matchAll(/^(#{1,6}) (.+)$/gm)].map((match) => ({ level: match[1]!.length, title: match[2]!, start: match.index! }));
  return { mediaType: "text/markdown", text, title: null, pages: [], headings };
}

describe("splitIntoChunks", () => {
  it("keeps chunks within the token size and locates each exactly in the text", async () => {
    const text = Array.from({ length: 40 }, (_, index) => `Sentence ${index} talks about rivers, bridges and the people who cross them every morning.`).join(
      " ",
    );
    const chunks = await splitIntoChunks({ mediaType: "text/plain", text, title: null, pages: [], headings: [] }, { size: 60, overlap: 10 }, tokens);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text);
      expect(tokens.count(chunk.text)).toBeLessThanOrEqual(60);
    }
    expect(chunks.map((chunk) => chunk.index)).toEqual(chunks.map((_, index) => index));
    expect(chunks[0]!.start).toBe(0);
    expect(chunks.at(-1)!.end).toBe(text.length);
    // Consecutive chunks overlap or touch: no text is lost between them.
    for (let index = 1; index < chunks.length; index += 1) expect(chunks[index]!.start).toBeLessThanOrEqual(chunks[index - 1]!.end + 1);
  });

  it("locates repeated passages at the right occurrence so the whole text stays covered", async () => {
    const text = "Alpha beta gamma delta. ".repeat(120).trim();
    const chunks = await splitIntoChunks({ mediaType: "text/plain", text, title: null, pages: [], headings: [] }, { size: 50, overlap: 5 }, tokens);
    for (let index = 1; index < chunks.length; index += 1) {
      expect(chunks[index]!.start).toBeGreaterThan(chunks[index - 1]!.start);
      expect(chunks[index]!.start).toBeLessThanOrEqual(chunks[index - 1]!.end + 1);
    }
    expect(chunks.at(-1)!.end).toBe(text.length);
  });

  it("carries the heading path and never leaves a lone heading as its own chunk", async () => {
    const body = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(20);
    const text = `# Guide\n\nIntro.\n\n## Install\n\n${body}\n\n## Usage\n\nRun it.\n\n### Flags\n\nUse --fast.`;
    const chunks = await splitIntoChunks(markdown(text), { size: 80, overlap: 8 }, tokens);
    expect(chunks.every((chunk) => !/^#+ [^\n]+$/.test(chunk.text))).toBe(true);
    const flags = chunks.find((chunk) => chunk.text.includes("--fast"))!;
    expect(flags.headingPath.slice(0, 2)).toEqual(["Guide", "Usage"]);
    const install = chunks.find((chunk) => chunk.text.includes("Lorem") && chunk.start > text.indexOf("## Install"))!;
    expect(install.headingPath).toEqual(["Guide", "Install"]);
  });

  it("splits PDF pages separately so every chunk has the page it comes from", async () => {
    const pages = ["Page one is about apples.", "Page two is about the Zorblax reactor.", "Page three is about pears."];
    let text = "";
    const spans = pages.map((page, index) => {
      const start = text.length;
      text += page + (index < pages.length - 1 ? "\n\n" : "");
      return { page: index + 1, start, end: start + page.length };
    });
    const chunks = await splitIntoChunks({ mediaType: "application/pdf", text, title: null, pages: spans, headings: [] }, { size: 400, overlap: 40 }, tokens);
    expect(chunks.map((chunk) => [chunk.page, chunk.text])).toEqual(pages.map((page, index) => [index + 1, page]));
  });
});

describe("heading and page look-ups", () => {
  it("pops headings of the same or deeper level", () => {
    const headings = [
      { level: 1, title: "A", start: 0 },
      { level: 2, title: "B", start: 10 },
      { level: 3, title: "C", start: 20 },
      { level: 2, title: "D", start: 30 },
    ];
    expect(headingPathAt(headings, 25)).toEqual(["A", "B", "C"]);
    expect(headingPathAt(headings, 35)).toEqual(["A", "D"]);
    expect(headingPathAt(headings, 5)).toEqual(["A"]);
  });

  it("finds the page containing an offset, null without pages", () => {
    const pages = [
      { page: 1, start: 0, end: 10 },
      { page: 2, start: 12, end: 20 },
    ];
    expect(pageAt(pages, 0)).toBe(1);
    expect(pageAt(pages, 15)).toBe(2);
    expect(pageAt([], 3)).toBeNull();
  });
});
