import { normalizeText } from "../text/text-tokens.js";

const CITATION_MARKER = /\[\d+\]/g;
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
const ARTICLES = /\b(a|an|the)\b/g;

/**
 * Text as SQuAD's official script compares answers (lower case, ASCII punctuation and the articles
 * a/an/the removed, whitespace collapsed), after the project's normalizeText (Unicode folding) and
 * with `[n]` citation markers dropped.
 */
export function normalizeAnswerText(text: string): string {
  return normalizeText(text).replace(CITATION_MARKER, " ").replace(PUNCTUATION, "").replace(ARTICLES, " ").replace(/\s+/g, " ").trim();
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
