import type { Passage } from "./passages.js";
import { normalizeText, tokenizeTerms } from "../text/text-tokens.js";
import { answerSentences } from "./answer-sentences.js";
import { scoreSentences, type ScoredSentence } from "./sentence-relevance.js";

export interface ExtractiveCitation {
  /** Marker number in the answer text ("[n]"), 1..k in order of appearance. */
  n: number;
  /** Index of the cited hit in the `hits` given. */
  hitIndex: number;
  documentId: string;
  chunkId: string;
  /** Offsets into the hit's chunk text: `hits[hitIndex].text.slice(start, end) === snippet`. */
  start: number;
  end: number;
  snippet: string;
  /** The sentence's relevance score (see `answerExtractively`). */
  score: number;
}

export interface SentenceScore {
  hitIndex: number;
  start: number;
  end: number;
  score: number;
  matchedTerms: string[];
}

export interface ExtractiveAnswer {
  /** Chosen sentences, each followed by its marker "[n]"; null when no sentence shares a term with the question. */
  answer: string | null;
  citations: ExtractiveCitation[];
  /** Every candidate sentence with a non-zero score, best first; only when `includeSentenceScores`. */
  sentenceScores?: SentenceScore[];
}

export interface ExtractiveAnswerRequest {
  question: string;
  /** Retrieved chunks, best first (their order is the rank the score bonus uses). */
  hits: Passage[];
  /** Most sentences in the answer; 3 by default. */
  maxSentences?: number;
  /** Soft cap on the answer's sentence text; a lone first sentence longer than this is cut at a word boundary. */
  maxChars?: number;
  includeSentenceScores?: boolean;
}

/** A sentence scoring below this share of the best one is not worth adding. */
const RELATIVE_CUTOFF = 0.5;
const HAS_DIGIT = /\p{N}/u;
/** Block kinds a sentence may be quoted from: headings, code, contents and navigation lines never are. */
const QUOTABLE_KINDS: ReadonlySet<string> = new Set(["prose", "list-item", "table"]);

interface Candidate extends ScoredSentence {
  start: number;
  end: number;
}

/** A passage title as a context-only heading above the passage's first sentence. */
function titleHeading(hitIndex: number, terms: string[]): Candidate {
  return { hitIndex, position: -1, start: 0, end: 0, terms, quotable: false, isHeading: true, hasNumber: false, score: 0, matchedTerms: [] };
}

/**
 * Answers from the retrieved chunks alone by quoting their most relevant sentences.
 *
 * Sentences come from `answerSentences` (`splitSentences` with hard-wrapped lines joined, pieces
 * that do not end like a sentence and citation abbreviations rejoined; offsets into the chunk text
 * kept); only those of prose, list items and tables are quoted, never headings, code, tables of
 * contents or navigation lines, which still lend context. The passage's title (underscores read as
 * spaces) counts as a heading above its first sentence: context, never quoted. Each is scored by `scoreSentences`
 * (question-term coverage with IDF over the sentences, proximity of the matched terms, coverage by
 * the neighbouring sentences and heading, passage rank, a digit when the question asks for a
 * number). Sentences with no question term are never chosen; a sentence repeated by overlapping
 * chunks is scored once, at its best hit.
 * Up to `maxSentences` sentences scoring at least half the best are chosen, grouped by hit (hits
 * in order of their best sentence, sentences in text order, so pronouns follow their antecedents).
 * Each chosen sentence gets its own citation and marker, so every marker points at the exact
 * sentence it quotes. A best sentence longer than `maxChars` is cut at a word boundary (no ellipsis
 * is added, so the snippet stays an exact slice). Pure and deterministic.
 */
export function answerExtractively(request: ExtractiveAnswerRequest): ExtractiveAnswer {
  const candidates = collectCandidates(request.hits);
  scoreSentences(candidates, request.question, tokenizeTerms(request.question));
  const ranked = candidates
    .filter((candidate) => candidate.score > 0)
    .sort((left, right) => right.score - left.score || left.hitIndex - right.hitIndex || left.start - right.start);
  const chosen = chooseSentences(ranked, request.hits, request.maxSentences ?? 3, request.maxChars);
  const result = buildAnswer(chosen, request.hits);
  if (!request.includeSentenceScores) return result;
  const sentenceScores = ranked.map(({ hitIndex, start, end, score, matchedTerms }) => ({ hitIndex, start, end, score, matchedTerms }));
  return { ...result, sentenceScores };
}

/** Every sentence of every hit, in order; a repeat of an earlier sentence (overlapping chunks) is context only. */
function collectCandidates(hits: Passage[]): Candidate[] {
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  hits.forEach((hit, hitIndex) => {
    // The passage's title stands above its first heading: context for every sentence, never quoted.
    const titleTerms = tokenizeTerms(hit.metadata.title.replace(/_/g, " "));
    if (titleTerms.length > 0) candidates.push(titleHeading(hitIndex, titleTerms));
    answerSentences(hit.text).forEach((sentence, position) => {
      const key = normalizeText(sentence.text).replace(/\s+/g, " ");
      const quotable = QUOTABLE_KINDS.has(sentence.kind) && !seen.has(key);
      if (quotable) seen.add(key);
      const terms = tokenizeTerms(sentence.text);
      const { start, end } = sentence;
      candidates.push({
        hitIndex,
        position,
        start,
        end,
        terms,
        quotable,
        isHeading: sentence.kind === "heading",
        hasNumber: HAS_DIGIT.test(sentence.text),
        score: 0,
        matchedTerms: [],
      });
    });
  });
  return candidates;
}

function chooseSentences(ranked: Candidate[], hits: Passage[], maxSentences: number, maxChars: number | undefined): Candidate[] {
  const best = ranked[0];
  if (best === undefined || maxSentences < 1) return [];
  const chosen: Candidate[] = [];
  let usedChars = 0;
  for (const candidate of ranked) {
    if (chosen.length >= maxSentences || candidate.score < best.score * RELATIVE_CUTOFF) break;
    const length = candidate.end - candidate.start;
    if (maxChars !== undefined && usedChars + length > maxChars) {
      if (chosen.length > 0) continue;
      // The best sentence alone is too long: quote its first maxChars characters, cut at a word boundary.
      const hitText = hits[candidate.hitIndex]?.text ?? "";
      chosen.push({ ...candidate, end: cutAtWordBoundary(hitText, candidate.start, candidate.start + maxChars) });
      break;
    }
    chosen.push(candidate);
    usedChars += length;
  }
  const firstAppearance = new Map<number, number>();
  chosen.forEach((candidate, order) => {
    if (!firstAppearance.has(candidate.hitIndex)) firstAppearance.set(candidate.hitIndex, order);
  });
  return chosen.sort((left, right) => (firstAppearance.get(left.hitIndex) ?? 0) - (firstAppearance.get(right.hitIndex) ?? 0) || left.start - right.start);
}

function cutAtWordBoundary(text: string, start: number, limit: number): number {
  const lastSpace = text.lastIndexOf(" ", limit);
  const end = lastSpace > start ? lastSpace : Math.max(start + 1, limit);
  let trimmedEnd = end;
  while (trimmedEnd > start + 1 && /[\s,;:]/.test(text.charAt(trimmedEnd - 1))) trimmedEnd--;
  return trimmedEnd;
}

function buildAnswer(chosen: Candidate[], hits: Passage[]): ExtractiveAnswer {
  if (chosen.length === 0) return { answer: null, citations: [] };
  const parts: string[] = [];
  const citations: ExtractiveCitation[] = chosen.map((candidate, order) => {
    const hit = hits[candidate.hitIndex]!;
    const snippet = hit.text.slice(candidate.start, candidate.end);
    const n = order + 1;
    parts.push(`${snippet.replace(/\s+/g, " ")} [${n}]`);
    return {
      n,
      hitIndex: candidate.hitIndex,
      documentId: hit.metadata.documentId,
      chunkId: hit.id,
      start: candidate.start,
      end: candidate.end,
      snippet,
      score: candidate.score,
    };
  });
  return { answer: parts.join(" "), citations };
}
