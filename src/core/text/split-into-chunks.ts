import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import type { HeadingMark, PageSpan, ParsedDocument } from "./parsed-document.js";
import type { TokenCounter } from "./token-counter.js";

export interface TextChunk {
  index: number;
  text: string;
  /** text === document.text.slice(start, end) */
  start: number;
  end: number;
  headingPath: string[];
  page: number | null;
}

export interface ChunkingSettings {
  /** Tokens per chunk and overlap between neighbours (cl100k_base). */
  size: number;
  overlap: number;
}

/**
 * Splits a parsed document into token-sized chunks with `@langchain/textsplitters` (Markdown-aware
 * separators for Markdown) and locates each chunk in the extracted text, so every chunk carries
 * exact character offsets, its heading path and its page.
 */
export async function splitIntoChunks(document: ParsedDocument, settings: ChunkingSettings, tokens: TokenCounter): Promise<TextChunk[]> {
  const options = { chunkSize: settings.size, chunkOverlap: settings.overlap, lengthFunction: (text: string) => tokens.count(text) };
  const splitter =
    document.mediaType === "text/markdown" ? RecursiveCharacterTextSplitter.fromLanguage("markdown", options) : new RecursiveCharacterTextSplitter(options);
  const headings = [...document.headings].sort((left, right) => left.start - right.start);
  // Pages are split one by one, so a chunk never spans two pages and its page number is exact.
  const sections = document.pages.length > 0 ? document.pages.map((page) => ({ start: page.start, end: page.end })) : [{ start: 0, end: document.text.length }];
  const spans: Array<{ start: number; end: number }> = [];
  for (const section of sections) {
    const sectionText = document.text.slice(section.start, section.end);
    if (sectionText.trim() === "") continue;
    // A section that fits is one chunk: the splitter would only cut it into words and glue them back.
    const pieces = tokens.count(sectionText) <= settings.size ? [sectionText] : await splitter.splitText(sectionText);
    const located = locateAll(pieces, sectionText, settings, tokens);
    spans.push(...mergeOrphans(located, sectionText, settings, tokens).map((span) => ({ start: span.start + section.start, end: span.end + section.start })));
  }
  return spans.map((span, index) => ({
    index,
    text: document.text.slice(span.start, span.end),
    start: span.start,
    end: span.end,
    headingPath: headingPathAt(headings, span.start),
    page: pageAt(document.pages, span.start),
  }));
}

function locateAll(pieces: string[], text: string, settings: ChunkingSettings, tokens: TokenCounter): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  for (const piece of pieces) {
    const previous = spans[spans.length - 1];
    // Start after the previous chunk's start but no further back than its overlap could reach,
    // so repeated passages are located at the right occurrence.
    const overlapReach = previous ? tokens.tailLength(text.slice(previous.start, previous.end), settings.overlap) : 0;
    const from = previous ? Math.max(previous.start + 1, previous.end - overlapReach) : 0;
    const located = locate(text, piece, from);
    if (located) spans.push(located);
  }
  return spans;
}

/**
 * The splitter leaves a lone heading as its own tiny chunk when the section after it is large;
 * such a chunk retrieves nothing useful, so it is joined to the chunk that follows it.
 */
function mergeOrphans(spans: Array<{ start: number; end: number }>, text: string, settings: ChunkingSettings, tokens: TokenCounter) {
  const orphanTokens = Math.min(24, Math.floor(settings.size / 4));
  const merged: Array<{ start: number; end: number }> = [];
  let carryStart: number | null = null;
  spans.forEach((span, index) => {
    const start = carryStart ?? span.start;
    carryStart = null;
    const next = spans[index + 1];
    const isOrphan = next !== undefined && next.start >= span.end && tokens.count(text.slice(start, span.end)) < orphanTokens;
    if (isOrphan && text.slice(span.end, next.start).trim() === "") carryStart = start;
    else merged.push({ start, end: span.end });
  });
  return merged;
}

/** Finds a chunk in the source at or after `from`; the splitter only trims, so it is a substring. */
function locate(text: string, piece: string, from: number): { start: number; end: number } | null {
  const trimmed = piece.trim();
  if (trimmed.length === 0) return null;
  const start = text.indexOf(trimmed, from);
  if (start >= 0) return { start, end: start + trimmed.length };
  const anywhere = text.indexOf(trimmed);
  return anywhere >= 0 ? { start: anywhere, end: anywhere + trimmed.length } : null;
}

/** The stack of headings in force at `offset`, outermost first. */
export function headingPathAt(headings: HeadingMark[], offset: number): string[] {
  const stack: HeadingMark[] = [];
  for (const heading of headings) {
    if (heading.start > offset) break;
    while (stack.length > 0 && (stack[stack.length - 1] as HeadingMark).level >= heading.level) stack.pop();
    stack.push(heading);
  }
  return stack.map((heading) => heading.title);
}

/** The 1-based page containing `offset`, or null for documents without pages. */
export function pageAt(pages: PageSpan[], offset: number): number | null {
  if (pages.length === 0) return null;
  let found: PageSpan | undefined;
  for (const page of pages) {
    if (page.start <= offset) found = page;
    else break;
  }
  return (found ?? pages[0])?.page ?? null;
}
