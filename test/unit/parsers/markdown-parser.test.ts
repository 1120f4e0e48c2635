import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { UnprocessableDocumentError } from "../../../src/core/errors.js";
import { findMarkdownHeadings, parseMarkdown } from "../../../src/adapters/parser/markdown-parser.js";

const utf8 = (text: string) => new TextEncoder().encode(text);

describe("parseMarkdown", () => {
  it("keeps the Markdown text and records ATX and setext headings, skipping fenced code", async () => {
    const bytes = await readFile(new URL("../../fixtures/sample.md", import.meta.url));
    const document = parseMarkdown(bytes);
    expect(document.mediaType).toBe("text/markdown");
    expect(document.text).toBe(bytes.toString("utf8"));
    expect(document.title).toBe("Ragline Field Guide");
    expect(document.headings.map((heading) => [heading.level, heading.title])).toEqual([
      [1, "Ragline Field Guide"],
      [2, "Beekeeping on Svalbard"],
      [2, "The Quillon Cipher"],
      [2, "Glassblowing Studio"],
    ]);
    for (const heading of document.headings) {
      const line = document.text.slice(heading.start, document.text.indexOf("\n", heading.start));
      expect(line.replace(/^#+\s*/, "")).toBe(heading.title);
    }
    expect(document.headings.some((heading) => heading.title.includes("comment"))).toBe(false);
  });

  it("ignores # lines in backtick and tilde fences until the matching closing fence", () => {
    const text = "# Real\n\n````md\n# not a heading\n```\n## still code\n````\n\n~~~\n# also code\n~~~\n### Level three ###\n";
    expect(findMarkdownHeadings(text)).toEqual([
      { level: 1, title: "Real", start: 0 },
      { level: 3, title: "Level three", start: text.indexOf("### Level") },
    ]);
  });

  it("reads multi-line setext headings and tells them apart from rules and lists", () => {
    const text = "Part one\ncontinued\n===\n\nintro\n\n---\n\n- item\n---\n\nSection\n--\n";
    expect(findMarkdownHeadings(text)).toEqual([
      { level: 1, title: "Part one continued", start: 0 },
      { level: 2, title: "Section", start: text.indexOf("Section") },
    ]);
  });

  it("skips YAML front matter and requires a space after the hashes", () => {
    const text = "---\ntitle: Not a heading\n---\n#hashtag\n    # indented code\n## Kept\n";
    expect(findMarkdownHeadings(text)).toEqual([{ level: 2, title: "Kept", start: text.indexOf("## Kept") }]);
  });

  it("normalises CRLF line endings, drops the BOM and has no title without an H1", () => {
    const document = parseMarkdown(utf8("\ufeff## Only h2\r\n\r\nBody\r\n"));
    expect(document.text).toBe("## Only h2\n\nBody\n");
    expect(document.title).toBeNull();
    expect(document.headings).toEqual([{ level: 2, title: "Only h2", start: 0 }]);
  });

  it("rejects whitespace-only content with 422", () => {
    expect(() => parseMarkdown(utf8("\n   \n\t"))).toThrow(UnprocessableDocumentError);
  });
});
