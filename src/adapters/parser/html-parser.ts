import { Parser as HtmlTokenizer } from "htmlparser2";
import { decodeText } from "../../core/text/decode-text.js";
import type { HeadingMark, ParsedDocument, Parser } from "../../ports/parser.js";
import { useLinearElementStack } from "./html-element-stack.js";
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
// Page furniture: menus, banners, sidebars and site footers (ARIA landmark roles included).
const BOILERPLATE = new Set(["nav", "aside"]);
const BOILERPLATE_ROLES = new Set(["navigation", "banner", "contentinfo", "complementary", "search"]);
// header/footer are a page banner or site footer only outside sectioning content (as in ARIA's mapping).
const PAGE_LEVEL_ONLY = new Set(["header", "footer"]);
const SECTIONING = new Set(["article", "main", "section"]);
// Blocks dropped when all their words are link text of at least two links (menus, link lists, breadcrumbs).
const LINK_LIST_CANDIDATES = new Set(["ul", "ol", "menu", "dl", "p", "div"]);
// Permalink anchors ("#", "¶", "§", "🔗") that documentation generators put in headings.
const ANCHOR_SYMBOLS = /^(?:[\s#¶§⚓]|🔗|\uFE0F)+$/u;
const WORD_CHARACTER = /[\p{L}\p{N}]/gu;

interface OpenElement {
  hides: boolean;
  sectioning: boolean;
  link: boolean;
  /** Counters when a link-list candidate opened, to tell on close whether it held only links. */
  linkFrame: { start: number; headings: number; links: number; linkWords: number; otherWords: number } | null;
}
const HEADING_LEVELS: Record<string, number> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };

/** Accumulates visible text with deferred whitespace so blocks never run together and never pile up breaks. */
class VisibleTextBuilder {
  // Parts plus the last character, so appending never re-reads (or re-flattens) the whole text.
  private parts: string[] = [];
  private lastCharacter = "";
  length = 0;
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
    if (this.length > 0) {
      if (this.pendingBreak > 0) this.push(this.pendingBreak === 2 ? "\n\n" : "\n");
      else if (this.pendingSpace && !/\s/.test(this.lastCharacter)) this.push(" ");
    }
    this.pendingBreak = 0;
    this.pendingSpace = false;
    const start = this.length;
    this.push(content);
    return start;
  }

  /** Drops everything from `offset` on (a block found to be boilerplate after the fact). */
  truncate(offset: number): void {
    while (this.length > offset) {
      const last = this.parts.pop()!;
      this.length -= last.length;
      if (this.length < offset) {
        this.parts.push(last.slice(0, offset - this.length));
        this.length = offset;
      }
    }
    const last = this.parts[this.parts.length - 1] ?? "";
    this.lastCharacter = last.charAt(last.length - 1);
  }

  /** The text from `offset` to the end. */
  textFrom(offset: number): string {
    const tail: string[] = [];
    let position = this.length;
    for (let index = this.parts.length - 1; index >= 0 && position > offset; index--) {
      const part = this.parts[index]!;
      position -= part.length;
      tail.unshift(position < offset ? part.slice(offset - position) : part);
    }
    return tail.join("");
  }

  toString(): string {
    return this.parts.join("");
  }

  private push(content: string): void {
    if (content === "") return;
    this.parts.push(content);
    this.length += content.length;
    this.lastCharacter = content.charAt(content.length - 1);
  }
}

/** Collapses whitespace runs to one space, as a browser renders normal inline text. */
function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, " ");
}

/**
 * Extracts the visible text of an HTML document with htmlparser2's streaming parser: markup,
 * comments, head metadata and non-rendered elements (script, style, template, svg, `hidden`…) are dropped,
 * and so is page furniture: `nav`, `aside`, a page-level `header`/`footer` (not inside article,
 * main or section), ARIA navigation/banner/contentinfo/complementary/search landmarks, blocks whose
 * words are all link text of two or more links (menus, link lists), and permalink symbols in
 * headings ("#", "¶", "§", "🔗"). Entities
 * are decoded, block elements become line or paragraph breaks, inline whitespace is
 * collapsed and `<pre>` keeps its layout. h1–h6 are recorded as headings at their offset in the
 * extracted text; the title is `<title>`, else the first h1. Throws UnprocessableDocumentError
 * for undecodable bytes or a page without visible text.
 */
export function parseHtml(bytes: Uint8Array): ParsedDocument {
  const source = decodeText(bytes);
  const builder = new VisibleTextBuilder();
  const headings: HeadingMark[] = [];
  const openElements: OpenElement[] = [];
  let hiddenDepth = 0;
  let sectioningDepth = 0;
  let linkDepth = 0;
  const counts = { links: 0, linkWords: 0, otherWords: 0 };
  let preformattedDepth = 0;
  let documentTitle: string | null = null;
  let titleParts: string[] | null = null;
  let openHeading: { level: number; start: number | null } | null = null;
  let rowHasCell = false;

  const landed = (start: number) => {
    if (openHeading && openHeading.start === null) openHeading.start = start;
  };

  const parser = new HtmlTokenizer(
    {
      onopentag(name, attributes) {
        const role = attributes.role?.trim().toLowerCase() ?? "";
        const boilerplate = BOILERPLATE.has(name) || BOILERPLATE_ROLES.has(role) || (PAGE_LEVEL_ONLY.has(name) && sectioningDepth === 0);
        const hides = HIDDEN_CONTENT.has(name) || "hidden" in attributes || attributes["aria-hidden"] === "true" || boilerplate;
        const element: OpenElement = { hides, sectioning: SECTIONING.has(name), link: name === "a" && "href" in attributes, linkFrame: null };
        openElements.push(element);
        if (hides) hiddenDepth += 1;
        if (hiddenDepth > 0) return;
        if (element.sectioning) sectioningDepth += 1;
        if (element.link) {
          linkDepth += 1;
          counts.links += 1;
        }
        if (LINK_LIST_CANDIDATES.has(name)) element.linkFrame = { start: builder.length, headings: headings.length, ...counts };
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
        if (openHeading !== null && ANCHOR_SYMBOLS.test(content)) return;
        const words = content.match(WORD_CHARACTER)?.length ?? 0;
        if (linkDepth > 0) counts.linkWords += words;
        else counts.otherWords += words;
        if (preformattedDepth > 0) {
          landed(builder.append(content));
          return;
        }
        const collapsed = collapseWhitespace(content);
        if (collapsed.startsWith(" ")) builder.requestSpace();
        const trimmed = collapsed.trim();
        if (trimmed !== "") landed(builder.append(trimmed));
        if (collapsed.endsWith(" ") && trimmed !== "") builder.requestSpace();
      },
      onclosetag(name) {
        const element = openElements.pop();
        if (name === "title" && titleParts !== null) {
          const title = collapseWhitespace(titleParts.join("")).trim();
          if (documentTitle === null && title !== "") documentTitle = title;
          titleParts = null;
        }
        if (element?.hides) hiddenDepth -= 1;
        if (hiddenDepth > 0 || element === undefined) return;
        if (element.sectioning) sectioningDepth -= 1;
        if (element.link) linkDepth -= 1;
        const frame = element.linkFrame;
        if (frame && counts.links - frame.links >= 2 && counts.otherWords === frame.otherWords && counts.linkWords > frame.linkWords) {
          builder.truncate(frame.start);
          headings.length = frame.headings;
          if (openHeading?.start !== null && openHeading !== null && openHeading.start >= frame.start) openHeading.start = null;
        }
        if (name === "pre") preformattedDepth = Math.max(0, preformattedDepth - 1);
        const level = HEADING_LEVELS[name];
        if (level !== undefined && openHeading?.level === level) {
          if (openHeading.start !== null) {
            const title = builder.textFrom(openHeading.start).trim();
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
  const restoreElementStack = useLinearElementStack(parser);
  parser.write(source);
  restoreElementStack();
  parser.end();

  const text = builder.toString().trimEnd();
  assertNotBlank(text);
  const title = documentTitle ?? headings.find((heading) => heading.level === 1)?.title ?? null;
  return { mediaType: "text/html", text, title, pages: [], headings };
}

export const htmlParser: Parser = { mediaTypes: ["text/html"], parse: async (bytes) => parseHtml(bytes) };
