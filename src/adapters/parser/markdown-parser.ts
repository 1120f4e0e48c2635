import { decodeText } from "../../core/text/decode-text.js";
import type { HeadingMark, ParsedDocument, Parser } from "../../ports/parser.js";
import { assertNotBlank } from "./plain-text-parser.js";

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
// Lines that can never be the text of a setext heading (a following `---` is then a rule).
const NOT_PARAGRAPH = /^ {0,3}(?:[-*+][ \t]|\d{1,9}[.)][ \t]|>|#{1,6}(?:[ \t]|$)|(?:`{3,}|~{3,})|<)/;
const INDENTED_CODE = /^(?: {4}|\t)/;
const FRONT_MATTER_END = /^(?:---|\.\.\.)[ \t]*$/;

interface Paragraph {
  start: number;
  lines: string[];
}

/**
 * Finds ATX (`## Title`) and setext (`Title\n===`) headings in Markdown text, with their level,
 * plain title and character offset of the heading line. Headings inside fenced code blocks and a
 * leading YAML front-matter block are ignored.
 */
export function findMarkdownHeadings(text: string): HeadingMark[] {
  const headings: HeadingMark[] = [];
  const lines = text.split("\n");
  let offset = 0;
  let fence: { marker: string; length: number } | null = null;
  let paragraph: Paragraph | null = null;
  let index = 0;

  if (lines[0]?.trimEnd() === "---") {
    const closing = lines.findIndex((line, position) => position > 0 && FRONT_MATTER_END.test(line));
    if (closing > 0) {
      for (; index <= closing; index += 1) offset += (lines[index]?.length ?? 0) + 1;
    }
  }

  for (; index < lines.length; index += 1) {
    const line = lines[index] ?? "";
    const lineStart = offset;
    offset += line.length + 1;

    if (fence) {
      const closing = line.match(/^ {0,3}(`{3,}|~{3,})[ \t]*$/);
      if (closing?.[1] && closing[1][0] === fence.marker && closing[1].length >= fence.length) fence = null;
      continue;
    }
    const fenceMatch = line.match(FENCE_OPEN);
    if (fenceMatch?.[1] && !(fenceMatch[1][0] === "`" && (fenceMatch[2] ?? "").includes("`"))) {
      fence = { marker: fenceMatch[1][0] ?? "`", length: fenceMatch[1].length };
      paragraph = null;
      continue;
    }
    const atx = line.match(ATX_HEADING);
    if (atx?.[1]) {
      const title = (atx[2] ?? "").trim();
      if (title !== "") headings.push({ level: atx[1].length, title, start: lineStart });
      paragraph = null;
      continue;
    }
    const underline = line.match(SETEXT_UNDERLINE);
    if (underline?.[1] && paragraph) {
      const title = paragraph.lines.map((part) => part.trim()).join(" ");
      headings.push({ level: underline[1].startsWith("=") ? 1 : 2, title, start: paragraph.start });
      paragraph = null;
      continue;
    }
    const isIndentedCode = INDENTED_CODE.test(line) && !paragraph;
    if (line.trim() === "" || isIndentedCode || underline || NOT_PARAGRAPH.test(line)) {
      paragraph = null;
    } else if (paragraph) {
      paragraph.lines.push(line);
    } else {
      paragraph = { start: lineStart, lines: [line] };
    }
  }
  return headings;
}

/**
 * Parses a Markdown upload. The text is kept as written (only the BOM is dropped and line
 * endings become `\n`) because chunking is Markdown-aware; headings are recorded with their
 * offsets and the title is the first level-1 heading, if any. Throws UnprocessableDocumentError
 * for undecodable bytes or whitespace-only content.
 */
export function parseMarkdown(bytes: Uint8Array): ParsedDocument {
  const text = decodeText(bytes);
  assertNotBlank(text);
  const headings = findMarkdownHeadings(text);
  const title = headings.find((heading) => heading.level === 1)?.title ?? null;
  return { mediaType: "text/markdown", text, title, pages: [], headings };
}

export const markdownParser: Parser = { mediaTypes: ["text/markdown"], parse: async (bytes) => parseMarkdown(bytes) };
