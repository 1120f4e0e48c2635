import { Parser as HtmlTokenizer } from "htmlparser2";
import { decodeText } from "../../core/text/decode-text.js";
import type { HeadingMark, ParsedDocument, Parser } from "../../ports/parser.js";
import { assertNotBlank } from "./plain-text-parser.js";

// Elements whose content is never visible text. <head> itself is absent: its children are (or are
// <title>), and browsers still show stray text that malformed pages put inside it.
const HIDDEN_CONTENT = new Set(["script", "style", "noscript", "template", "svg", "math", "iframe", "object", "canvas", "select", "datalist"]);
// Elements that start a new paragraph (a blank line in the extracted text).
const PARAGRAPH_BLOCKS = new Set([
  "p",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "pre",
  "blockquote",
  "table",
  "ul",
  "ol",
  "dl",
  "section",
  "article",
  "header",
  "footer",
  "main",
  "nav",
  "aside",
  "figure",
  "figcaption",
  "form",
  "fieldset",
  "details",
  "address",
  "hr",
]);
// Elements that start a new line.
const LINE_BLOCKS = new Set([
  "br",
  "div",
  "li",
  "tr",
  "dt",
  "dd",
  "caption",
  "summary",
  "legend",
  "option",
  "thead",
  "tbody",
  "tfoot",
  "body",
  "html",
  "center",
  "label",
]);
const TABLE_CELLS = new Set(["td", "th"]);
const HEADING_LEVELS: Record<string, number> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };

/** Accumulates visible text with deferred whitespace so blocks never run together and never pile up breaks. */
class VisibleTextBuilder {
  text = "";
  private pendingBreak: 0 | 1 | 2 = 0;
  private pendingSpace = false;

  requestBreak(size: 1 | 2): void {
    if (size > this.pendingBreak) this.pendingBreak = size;
  }

  requestSpace(): void {
    this.pendingSpace = true;
  }

  /** Appends text, first flushing any pending break or space; returns the offset where it landed. */
  append(content: string): number {
    if (this.text !== "") {
      if (this.pendingBreak > 0) this.text += this.pendingBreak === 2 ? "\n\n" : "\n";
      else if (this.pendingSpace && !/\s$/.test(this.text)) this.text += " ";
    }
    this.pendingBreak = 0;
    this.pendingSpace = false;
    const start = this.text.length;
    this.text += content;
    return start;
  }
}

/** Collapses whitespace runs to one space, as a browser renders normal inline text. */
function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, " ");
}

/**
 * Extracts the visible text of an HTML document with htmlparser2's streaming parser: markup,
 * comments, head metadata and non-rendered elements (script, style, template, svg, `hidden`…) are dropped,
 * entities are decoded, block elements become line or paragraph breaks, inline whitespace is
 * collapsed and `<pre>` keeps its layout. h1–h6 are recorded as headings at their offset in the
 * extracted text; the title is `<title>`, else the first h1. Throws UnprocessableDocumentError
 * for undecodable bytes or a page without visible text.
 */
export function parseHtml(bytes: Uint8Array): ParsedDocument {
  const source = decodeText(bytes);
  const builder = new VisibleTextBuilder();
  const headings: HeadingMark[] = [];
  const hiddenStack: boolean[] = [];
  let hiddenDepth = 0;
  let preformattedDepth = 0;
  let documentTitle: string | null = null;
  let titleParts: string[] | null = null;
  let openHeading: { level: number; start: number | null } | null = null;
  let rowHasCell = false;

  const parser = new HtmlTokenizer(
    {
      onopentag(name, attributes) {
        const hides = HIDDEN_CONTENT.has(name) || "hidden" in attributes || attributes["aria-hidden"] === "true";
        hiddenStack.push(hides);
        if (hides) hiddenDepth += 1;
        if (hiddenDepth > 0) return;
        if (name === "title") titleParts = [];
        if (name === "pre") preformattedDepth += 1;
        if (name === "tr") rowHasCell = false;
        if (TABLE_CELLS.has(name)) {
          if (rowHasCell) {
            builder.requestSpace();
            builder.append("|");
          }
          builder.requestSpace();
          rowHasCell = true;
        }
        if (PARAGRAPH_BLOCKS.has(name)) builder.requestBreak(2);
        else if (LINE_BLOCKS.has(name)) builder.requestBreak(1);
        const level = HEADING_LEVELS[name];
        if (level !== undefined && openHeading === null) openHeading = { level, start: null };
      },
      ontext(content) {
        if (titleParts !== null) {
          titleParts.push(content);
          return;
        }
        if (hiddenDepth > 0) return;
        if (preformattedDepth > 0) {
          const start = builder.append(content);
          if (openHeading && openHeading.start === null) openHeading.start = start;
          return;
        }
        const collapsed = collapseWhitespace(content);
        if (collapsed.startsWith(" ")) builder.requestSpace();
        const words = collapsed.trim();
        if (words !== "") {
          const start = builder.append(words);
          if (openHeading && openHeading.start === null) openHeading.start = start;
        }
        if (collapsed.endsWith(" ") && words !== "") builder.requestSpace();
      },
      onclosetag(name) {
        const wasHiding = hiddenStack.pop() ?? false;
        if (name === "title" && titleParts !== null) {
          const title = collapseWhitespace(titleParts.join("")).trim();
          if (documentTitle === null && title !== "") documentTitle = title;
          titleParts = null;
        }
        if (wasHiding) hiddenDepth -= 1;
        if (hiddenDepth > 0) return;
        if (name === "pre") preformattedDepth = Math.max(0, preformattedDepth - 1);
        const level = HEADING_LEVELS[name];
        if (level !== undefined && openHeading?.level === level) {
          if (openHeading.start !== null) {
            const title = builder.text.slice(openHeading.start).trim();
            if (title !== "") headings.push({ level, title: collapseWhitespace(title), start: openHeading.start });
          }
          openHeading = null;
        }
        if (PARAGRAPH_BLOCKS.has(name)) builder.requestBreak(2);
        else if (LINE_BLOCKS.has(name)) builder.requestBreak(1);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(source);
  parser.end();

  const text = builder.text.trimEnd();
  assertNotBlank(text);
  const title = documentTitle ?? headings.find((heading) => heading.level === 1)?.title ?? null;
  return { mediaType: "text/html", text, title, pages: [], headings };
}

export const htmlParser: Parser = { mediaTypes: ["text/html"], parse: async (bytes) => parseHtml(bytes) };
