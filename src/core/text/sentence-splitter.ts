import { findTextBlocks, type TextBlockKind } from "./text-blocks.js";

/** A sentence of a text: `text.slice(start, end) === sentence.text`, trimmed of surrounding whitespace. */
export interface SentenceSpan {
  text: string;
  start: number;
  end: number;
  /** Kind of the block the sentence belongs to (see `findTextBlocks`): only prose, list items and tables are quotable. */
  kind: TextBlockKind;
}

/** Abbreviations after which a period never ends a sentence (titles, "e.g."), lowercase, without the final period. */
const NON_TERMINAL_ABBREVIATIONS: ReadonlySet<string> = new Set([
  "mr",
  "mrs",
  "ms",
  "dr",
  "prof",
  "st",
  "sen",
  "rep",
  "gov",
  "gen",
  "col",
  "capt",
  "lt",
  "sgt",
  "rev",
  "hon",
  "mt",
  "ft",
  "e.g",
  "i.e",
  "cf",
  "vs",
  "approx",
  "no",
  "nos",
  "fig",
  "figs",
  "vol",
  "pp",
  "ca",
  "eq",
  "sec",
  "ch",
  "art",
  "dept",
  "est",
]);

const LAST_WORD_WITH_PERIOD = /(?:^|[\s("'“‘[])([\p{L}.]+)\.$/u;
const SINGLE_INITIAL = /^\p{Lu}$/u;
const UPPERCASE_DOTTED_ACRONYM = /^(?:\p{Lu}\.)+\p{Lu}$/u;
const LIST_MARKER_ONLY = /^(?:\d{1,3}|[a-zA-Z]|[ivxlcdm]{1,5})[.)]$/i;
const HAS_WORD_CHARACTER = /[\p{L}\p{N}]/u;

const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });
/** Blocks longer than this are segmented in windows: Intl.Segmenter slows down with each break in one long text. */
const SEGMENT_WINDOW = 4_000;
/** A place the Unicode rules always break a sentence: terminal punctuation, spaces, then an uppercase letter. */
const CERTAIN_BREAK = /[.!?]["'”’)\]]*\s+(?=\p{Lu})/gu;

/**
 * Intl.Segmenter's sentences of `text`, with their offsets. A long text is cut into windows of about
 * 4,000 characters at places where the rules break anyway, so the result is the same, in linear time.
 */
function* sentenceSegments(text: string): Generator<{ index: number; segment: string }> {
  let offset = 0;
  while (text.length - offset > SEGMENT_WINDOW * 2) {
    CERTAIN_BREAK.lastIndex = offset + SEGMENT_WINDOW;
    const found = CERTAIN_BREAK.exec(text);
    if (found === null) break;
    const cut = found.index + found[0].length;
    for (const segment of segmenter.segment(text.slice(offset, cut))) yield { index: offset + segment.index, segment: segment.segment };
    offset = cut;
  }
  for (const segment of segmenter.segment(text.slice(offset))) yield { index: offset + segment.index, segment: segment.segment };
}

/**
 * Splits text into sentences with exact character offsets, in order, none empty.
 *
 * Base: `Intl.Segmenter` (Unicode sentence rules, which already keep "3.5" and "e.g. the" whole),
 * corrected so that a period after a title ("Mr."), a single initial ("John F. Kennedy"), an uppercase
 * dotted acronym ("U.S. Army") or "e.g."/"i.e." does not end a sentence, and a lone list marker
 * ("1.") stays with its item. No sentence crosses a block of `findTextBlocks` (blank lines,
 * headings, list items, code, table rows), and hard-wrapped lines inside a block are read as one
 * line, so a wrapped sentence is one sentence whose span includes the line breaks. Each sentence
 * carries its block's kind. Pieces with no letter or digit (rules like "---") are dropped.
 */
export function splitSentences(text: string): SentenceSpan[] {
  const sentences: SentenceSpan[] = [];
  for (const block of findTextBlocks(text)) {
    const blockText = text.slice(block.start, block.end).replace(/[\r\n]/g, " ");
    let pendingStart: number | null = null;
    for (const segment of sentenceSegments(blockText)) {
      const segmentStart = block.start + segment.index;
      const segmentEnd = segmentStart + segment.segment.length;
      const start: number = pendingStart ?? segmentStart;
      const isLastSegment = segmentEnd >= block.end;
      if (!isLastSegment && continuesPastPeriod(text, start, segmentEnd)) {
        pendingStart = start;
        continue;
      }
      pendingStart = null;
      pushTrimmed(sentences, text, start, segmentEnd, block.kind);
    }
    if (pendingStart !== null) pushTrimmed(sentences, text, pendingStart, block.end, block.kind);
  }
  return sentences;
}

/** Characters before a period that are read to find the word it ends (longer words are never abbreviations). */
const LAST_WORD_REACH = 100;

/**
 * True when `text.slice(start, end)` ends with a period that does not close a sentence (or is only a
 * list marker). Reads only its last characters: a run of abbreviations ("Mr. Mr. …") grows one piece,
 * and re-reading all of it for each would be quadratic.
 */
function continuesPastPeriod(text: string, start: number, end: number): boolean {
  const tail = text.slice(Math.max(start, end - LAST_WORD_REACH), end).trim();
  if (end - start <= LAST_WORD_REACH && LIST_MARKER_ONLY.test(tail)) return true;
  const lastWord = LAST_WORD_WITH_PERIOD.exec(tail)?.[1];
  if (lastWord === undefined) return false;
  if (SINGLE_INITIAL.test(lastWord) || UPPERCASE_DOTTED_ACRONYM.test(lastWord)) return true;
  return NON_TERMINAL_ABBREVIATIONS.has(lastWord.toLowerCase());
}

function pushTrimmed(sentences: SentenceSpan[], text: string, start: number, end: number, kind: TextBlockKind): void {
  let trimmedStart = start;
  let trimmedEnd = end;
  while (trimmedStart < trimmedEnd && /\s/.test(text.charAt(trimmedStart))) trimmedStart++;
  while (trimmedEnd > trimmedStart && /\s/.test(text.charAt(trimmedEnd - 1))) trimmedEnd--;
  const sentence = text.slice(trimmedStart, trimmedEnd);
  if (!HAS_WORD_CHARACTER.test(sentence)) return;
  sentences.push({ text: sentence, start: trimmedStart, end: trimmedEnd, kind });
}
