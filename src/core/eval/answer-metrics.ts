import { normalizeText } from "../text/text-tokens.js";

const CITATION_MARKER = /\[\d+\]/g;
/** A Markdown link's destination (`[text](url)` keeps `[text]`): answers quote Markdown sources verbatim, and a URL glued to the link text would hide it. */
const LINK_DESTINATION = /\]\([^)\s]*\)/g;
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
/** Curly quotation marks (Unicode initial and final quote punctuation), which documents use where ASCII text has ' and ". */
const QUOTES = /[\p{Pi}\p{Pf}]/gu;
const ARTICLES = /\b(a|an|the)\b/g;

/**
 * Text as SQuAD's official script compares answers (lower case, ASCII punctuation (and curly quotes) and the articles
 * a/an/the removed, whitespace collapsed), after the project's normalizeText (Unicode folding) and
 * with `[n]` citation markers and Markdown link destinations (`](url)`) dropped.
 */
export function normalizeAnswerText(text: string): string {
  return normalizeText(text)
    .replace(LINK_DESTINATION, "] ")
    .replace(CITATION_MARKER, " ")
    .replace(PUNCTUATION, "")
    .replace(QUOTES, "")
    .replace(ARTICLES, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * True when `text` contains one of the gold spans as whole words, both normalised by
 * normalizeAnswerText ("the Denver Broncos." contains "Denver Broncos"; "1990" does not contain "199").
 * Spans that normalise to nothing never match; null text never matches.
 */
export function containsGoldSpan(text: string | null, spans: readonly string[]): boolean {
  if (text === null) return false;
  const haystack = ` ${normalizeAnswerText(text)} `;
  return spans.some((span) => {
    const needle = normalizeAnswerText(span);
    return needle !== "" && haystack.includes(` ${needle} `);
  });
}

/** True when `text` contains every expected fact (each as containsGoldSpan checks one span); an empty list never matches. */
export function containsAllFacts(text: string | null, facts: readonly string[]): boolean {
  return facts.length > 0 && facts.every((fact) => containsGoldSpan(text, [fact]));
}

/**
 * Citation precision of one answer: how many of its cited chunk texts contain at least one of
 * `facts` (gold spans or expected facts), out of how many citations it has. A chunk cited twice counts
 * twice, as the reader sees two citations. No citations → `{ supporting: 0, cited: 0 }` (no precision).
 */
export function citationSupport(citedChunkTexts: ReadonlyArray<string | null>, facts: readonly string[]): { supporting: number; cited: number } {
  const supporting = citedChunkTexts.filter((text) => containsGoldSpan(text, facts)).length;
  return { supporting, cited: citedChunkTexts.length };
}

/** Refusal correctness: an unanswerable question must be refused, an answerable one must not be. */
export function refusalIsCorrect(answerable: boolean, refused: boolean): boolean {
  return answerable !== refused;
}

/**
 * The p-th percentile (0 < p ≤ 100) of `values` by the nearest-rank method (the smallest value with at
 * least p % of the values at or below it); null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError("percentile needs 0 < p <= 100");
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}
