import type { Citation, Passage } from "./passages.js";

const SNIPPET_MAX_CHARS = 300;
const MARKER = /\[(\d{1,4})\]/g;

/** Passage numbers of the [n] markers in a text, in order of first appearance. */
function markersIn(text: string): number[] {
  const seen = new Set<number>();
  for (const match of text.matchAll(MARKER)) seen.add(Number(match[1]));
  return [...seen];
}

/**
 * Citations a model gave (its list plus the markers in its text), restricted to passages 1..hits.length:
 * numbers pointing outside the retrieved set are dropped, and their markers removed from the text.
 */
export function resolveModelCitations(answer: string, claimed: number[], hits: Passage[]): { answer: string; citations: Citation[] } {
  const valid = (n: number) => Number.isInteger(n) && n >= 1 && n <= hits.length;
  const numbers = [...new Set([...claimed, ...markersIn(answer)])].filter(valid).sort((left, right) => left - right);
  const cleaned = answer
    .replace(MARKER, (marker, digits: string) => (valid(Number(digits)) ? marker : ""))
    .replace(/[ \t]{2,}/g, " ")
    .trim();
  const citations = numbers.map((n) => {
    const hit = hits[n - 1]!;
    const end = snippetEnd(hit.text);
    return { n, documentId: hit.metadata.documentId, chunkId: hit.id, start: 0, end, score: hit.scores.fused, snippet: hit.text.slice(0, end) };
  });
  return { answer: cleaned, citations };
}

/** The chunk's first ~300 characters, cut at a word boundary (so hit.text.slice(0, end) is the snippet). */
function snippetEnd(text: string): number {
  if (text.length <= SNIPPET_MAX_CHARS) return text.length;
  const space = text.lastIndexOf(" ", SNIPPET_MAX_CHARS);
  return space > SNIPPET_MAX_CHARS / 2 ? space : SNIPPET_MAX_CHARS;
}
