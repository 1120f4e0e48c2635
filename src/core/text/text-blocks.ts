/**
 * What a block of text is, as far as quoting it goes: only `prose`, `list-item` and `table` blocks
 * can hold an answer; the others are structure (headings, code, tables of contents, navigation).
 */
export type TextBlockKind = "prose" | "list-item" | "table" | "heading" | "code" | "contents" | "navigation";

/** A run of lines that reads as one unit: `text.slice(start, end)` is the block, line breaks included. */
export interface TextBlock {
  start: number;
  end: number;
  kind: TextBlockKind;
}

interface Line {
  start: number;
  end: number;
  text: string;
}

const LINE_BREAK = /\r\n|\r|\n/g;
const BLANK = /^\s*$/;
const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const ATX_HEADING = /^\s{0,3}#{1,6}(?:\s|$)/;
const SETEXT_UNDERLINE = /^\s{0,3}(?:=+|-+)\s*$/;
const LIST_ITEM_START = /^\s*(?:[-*+•‣▪◦–—]|\d{1,3}[.)]|[a-zA-Z][.)])\s/;
const LIST_MARKER = /^\s*(?:[-*+•‣▪◦–—]|\d{1,3}[.)]|[a-zA-Z][.)])\s+/;
const TABLE_ROW = /^\s*\|.*\|\s*$|\S\s\|\s\S/;
const OPTION_TERM = /^\s*--?[\w?]/;
const LEADING_WHITESPACE = /^[ \t]*/;
const TERMINAL_END = /[.!?:;…]["'”’)\]]*\s*$/;
const STARTS_LOWERCASE = /^\s*\p{Ll}/u;
const FIRST_WORD = /^\s*(\S+)/;
const WORD = /[\p{L}\p{N}]+/gu;
/** A section number, then a title, then a page number: a line of a printed table of contents (see also `endsWithDotLeaders`). */
const NUMBERED_CONTENTS_LINE = /^\s*\d+(?:\.\d+)+\.?\s+\S.{0,80}?\s\d{1,4}\s*$/;
/** Dot leaders ("...", "……", " . . .") at the end of what comes before a page number. */
const DOT_LEADER_END = /(?:\.{3}|…{2}|\s\.\s\.\s\.)$/;
/** A Markdown link, an autolink or a bare URL (lengths bounded: unbounded, a line of "[a](" backtracks quadratically). */
const LINK = /!?\[[^\]]{0,1000}\]\([^)]{0,2000}\)|<https?:[^>\s]+>|https?:\/\/\S+/g;
const ANCHOR_LINK = /^\s*\[[^\]]+\]\(#[^)]*\)\s*$/;
/** Separators between links in breadcrumbs and menus. */
const LINK_SEPARATORS = /[|·•›»>/,]/g;
const BREADCRUMB_SEPARATOR = /\s[›»>/·•]\s/;
/** Lines of code: a statement end, a brace, a shell prompt, a comment or a keyword that opens a statement. */
const CODE_LINE =
  /[;{]\s*$|^\s*[}\])]|^\s*(?:\$|>>>|#!|\/\/|\/\*)\s|^\s*(?:import|export|const|let|var|function|def|class|return|public|private|fn|func|package|#include)\b.*[=({:;]|=>|\(\)\s*[{;]?\s*$|\[[A-Z][A-Z_-]*\](?:\.{3})?|^\s*[\w.$]+\(.*\)\s*;?\s*$/;
/** A wrap width below this is a column of short lines (a list, a menu), never a hard-wrapped paragraph. */
const MINIMUM_WRAP_WIDTH = 40;
/** Lines of a hard-wrapped paragraph all reach close to its width; a list's lines rarely do. */
const FILLED_SHARE = 0.75;
/** A line standing alone with this many words or fewer and no closing punctuation is a title. */
const MAXIMUM_TITLE_WORDS = 10;

/**
 * Cuts text into blocks, in order, never overlapping, each starting and ending on a line boundary:
 * Markdown structure (ATX and setext headings, fenced and indented code, list items, table rows)
 * ends a block, and so does a blank line. Consecutive lines of one paragraph are joined when the
 * break is a soft wrap: the next line starts in lowercase after a line without closing punctuation,
 * or, in a run of lines filled like a hard-wrapped paragraph (see `wrapWidths`), the next line's
 * first word would not have fitted on the previous line within the run's widest line. Each block gets a
 * kind: a line of at most ten words without closing punctuation, alone between blank lines or
 * over a more indented body, is a heading; a table
 * of contents line (dot leaders or a numbered section with a page number, a list item that only
 * links to an anchor), a line that is only links (or a breadcrumb trail), and code-looking lines
 * are never prose. Pure; line breaks stay inside the blocks so offsets map back exactly.
 */
export function findTextBlocks(text: string): TextBlock[] {
  const lines = splitLines(text);
  const widths = wrapWidths(lines);
  const built = buildBlocks(lines, widths, 0);
  const unclosedFence = built.unclosedFence;
  let blocks = built.blocks;
  // A chunk may start inside a code block: a bare fence that never closes then more likely closes
  // the code above it than opens code to the end, unless what follows looks more like code.
  if (unclosedFence !== null && !/\S/.test(lines[unclosedFence]!.text.replace(FENCE, ""))) {
    const codeShare = (part: Line[]) => part.filter((line) => CODE_LINE.test(line.text)).length / Math.max(1, part.length);
    if (codeShare(lines.slice(0, unclosedFence)) >= codeShare(lines.slice(unclosedFence + 1))) {
      const above = { start: 0, end: lines[unclosedFence]!.end, kind: "code" as const, lines: unclosedFence + 1 };
      blocks = [above, ...buildBlocks(lines, widths, unclosedFence + 1).blocks];
    }
  }
  return blocks.map((block, index) => ({ start: block.start, end: block.end, kind: refineKind(text, block, blocks[index - 1], blocks[index + 1]) }));
}

/** Blocks of the lines from `from` on, and the index of a fence line left open at the end, if any. */
function buildBlocks(lines: Line[], widths: number[], from: number): { blocks: Array<TextBlock & { lines: number }>; unclosedFence: number | null } {
  const blocks: Array<TextBlock & { lines: number }> = [];
  let current: (TextBlock & { lines: number }) | null = null;
  let fenced: (TextBlock & { lines: number; fence: string; line: number }) | null = null;
  let previousBlank = true;
  let proseIndent: number | null = null;
  lines.forEach((line, index) => {
    if (index < from) return;
    const fence = FENCE.exec(line.text)?.[1];
    if (fenced !== null) {
      fenced.end = line.end;
      if (fence !== undefined && fence.charAt(0) === fenced.fence.charAt(0) && fence.length >= fenced.fence.length) fenced = null;
      return;
    }
    if (fence !== undefined) {
      fenced = { start: line.start, end: line.end, kind: "code", lines: 1, fence, line: index };
      blocks.push(fenced);
      current = null;
      return;
    }
    if (BLANK.test(line.text)) {
      current = null;
      previousBlank = true;
      return;
    }
    const afterBlank = previousBlank;
    previousBlank = false;
    if (current !== null && current.lines === 1 && current.kind === "prose" && SETEXT_UNDERLINE.test(line.text)) {
      current.kind = "heading";
      current.end = line.end;
      current = null;
      return;
    }
    const kind = structuralKind(line.text, afterBlank, current, proseIndent);
    if (kind === null && current !== null && (current.kind === "prose" || current.kind === "list-item")) {
      const previous = lines[index - 1]!;
      const indentedContinuation = current.kind === "list-item" && /^\s{2,}\S/.test(line.text);
      // An option over its indented description (man pages, --help) is one definition.
      if (current.lines === 1 && OPTION_TERM.test(previous.text) && indentation(line.text) > indentation(previous.text)) {
        current.kind = "list-item";
        current.end = line.end;
        current.lines += 1;
        return;
      }
      if (indentedContinuation || isSoftWrap(previous.text, line.text, widths[index]!)) {
        current.end = line.end;
        current.lines += 1;
        return;
      }
    }
    if (kind === "code" && current?.kind === "code") {
      current.end = line.end;
      current.lines += 1;
      return;
    }
    current = { start: line.start, end: line.end, kind: kind ?? "prose", lines: 1 };
    if (current.kind === "prose") proseIndent = indentation(line.text);
    blocks.push(current);
  });
  return { blocks, unclosedFence: fenced === null ? null : (fenced as { line: number }).line };
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let lineStart = 0;
  for (const match of text.matchAll(LINE_BREAK)) {
    lines.push({ start: lineStart, end: match.index, text: text.slice(lineStart, match.index) });
    lineStart = match.index + match[0].length;
  }
  lines.push({ start: lineStart, end: text.length, text: text.slice(lineStart) });
  return lines;
}

/**
 * Per line, the width of the run of equally indented non-blank lines it belongs to, or 0 when the run is not
 * filled like a hard-wrapped paragraph: at least three lines, the widest at least 40 characters,
 * and every line but the last at least three quarters of it.
 */
function wrapWidths(lines: Line[]): number[] {
  const widths = new Array<number>(lines.length).fill(0);
  let runStart = 0;
  for (let index = 0; index <= lines.length; index++) {
    const line = lines[index];
    const sameRun = line !== undefined && !BLANK.test(line.text) && (index === runStart || indentation(line.text) === indentation(lines[index - 1]!.text));
    if (sameRun) continue;
    const lengths = lines.slice(runStart, index).map((member) => member.text.trimEnd().length);
    const width = Math.max(0, ...lengths);
    const filled = lengths.length >= 3 && width >= MINIMUM_WRAP_WIDTH && lengths.slice(0, -1).every((length) => length >= FILLED_SHARE * width);
    if (filled) widths.fill(width, runStart, index);
    runStart = line !== undefined && !BLANK.test(line.text) ? index : index + 1;
  }
  return widths;
}

/** Columns of leading whitespace, a tab counting as four. */
function indentation(line: string): number {
  return (LEADING_WHITESPACE.exec(line)?.[0] ?? "").replace(/\t/g, "    ").length;
}

/**
 * Structure a line starts by its own markup. Indented code is relative to the last prose block
 * (rendered man pages indent all their prose), so a text without prose yet has none.
 */
function structuralKind(line: string, afterBlank: boolean, current: TextBlock | null, proseIndent: number | null): TextBlockKind | null {
  if (ATX_HEADING.test(line)) return "heading";
  const indentedCode = proseIndent !== null && indentation(line) >= proseIndent + 4;
  if (indentedCode && (afterBlank || current?.kind === "code") && current?.kind !== "list-item") return "code";
  if (LIST_ITEM_START.test(line)) return "list-item";
  if (TABLE_ROW.test(line)) return "table";
  return null;
}

function isSoftWrap(previous: string, next: string, width: number): boolean {
  // A wrapped line never starts deeper than the line before it; a deeper one is a body under a label.
  if (indentation(next) > indentation(previous)) return false;
  if (!TERMINAL_END.test(previous) && STARTS_LOWERCASE.test(next)) return true;
  if (width === 0) return false;
  const firstWord = FIRST_WORD.exec(next)?.[1] ?? "";
  return previous.trimEnd().length + 1 + firstWord.length > width;
}

function refineKind(text: string, block: TextBlock & { lines: number }, before: TextBlock | undefined, after: TextBlock | undefined): TextBlockKind {
  if (block.kind === "heading" || block.kind === "code") return block.kind;
  const lines = text.slice(block.start, block.end).split(/\r\n|\r|\n/);
  if (lines.every((line) => isContentsLine(line) || ANCHOR_LINK.test(line.replace(LIST_MARKER, "")))) return "contents";
  if (lines.every((line) => isLinksOnly(line))) return "navigation";
  if (lines.every((line) => CODE_LINE.test(line))) return "code";
  // A title introduces something: a lone line with nothing after it is not one.
  if (block.kind === "prose" && block.lines === 1 && after !== undefined && looksLikeTitle(lines[0]!)) {
    const overIndentedBody = indentation(text.slice(after.start, after.end)) > indentation(lines[0]!);
    if (overIndentedBody || standsAlone(text, block, before, after)) return "heading";
  }
  return block.kind;
}

/** Dot leaders or a section number, then a title, then a page number: a printed table of contents. */
function isContentsLine(line: string): boolean {
  return endsWithDotLeaders(line) || NUMBERED_CONTENTS_LINE.test(line);
}

/**
 * True for a line ending in dot leaders and a page number ("Streams ........ 14"). Scanned from the end:
 * an unanchored regex would try every dot of a long run of dots as the leaders' start.
 */
function endsWithDotLeaders(line: string): boolean {
  let end = line.length;
  while (end > 0 && /\s/.test(line.charAt(end - 1))) end--;
  let digits = end;
  while (digits > 0 && /[0-9]/.test(line.charAt(digits - 1))) digits--;
  if (digits === end) return false;
  let leaders = digits;
  while (leaders > 0 && /\s/.test(line.charAt(leaders - 1))) leaders--;
  return DOT_LEADER_END.test(line.slice(Math.max(0, leaders - 6), leaders));
}

/** A line made of links and separators only, or a breadcrumb trail of short unpunctuated items. */
function isLinksOnly(line: string): boolean {
  const content = line.replace(LIST_MARKER, "");
  const withoutLinks = content.replace(LINK, "");
  if (withoutLinks !== content) return withoutLinks.replace(LINK_SEPARATORS, "").trim() === "";
  if (!BREADCRUMB_SEPARATOR.test(content) || TERMINAL_END.test(content)) return false;
  const items = content.split(BREADCRUMB_SEPARATOR);
  return items.length >= 3 && items.every((item) => (item.match(WORD) ?? []).length <= 4);
}

function looksLikeTitle(line: string): boolean {
  const words = line.match(WORD) ?? [];
  return words.length > 0 && words.length <= MAXIMUM_TITLE_WORDS && !TERMINAL_END.test(line) && !/[,]\s*$/.test(line);
}

/** True when blank lines (or the text's edges) separate the block from what comes before and after. */
function standsAlone(text: string, block: TextBlock, before: TextBlock | undefined, after: TextBlock | undefined): boolean {
  const gapBefore = before === undefined ? text.slice(0, block.start) : text.slice(before.end, block.start);
  const gapAfter = after === undefined ? text.slice(block.end) : text.slice(block.end, after.start);
  const separated = (gap: string, edge: boolean) => edge || /\n[^\S\n]*\r?\n|\r[^\S\r]*\r/.test(gap);
  return separated(gapBefore, before === undefined) && separated(gapAfter, after === undefined);
}
