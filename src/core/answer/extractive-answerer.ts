import type { Passage } from "./passages.js";
import { normalizeText, tokenizeTerms } from "../text/text-tokens.js";
import { splitSentences } from "../text/sentence-splitter.js";

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

/** Weights of the score parts added to the IDF-weighted coverage, which is in [0, 1]. */
const BIGRAM_BONUS = 0.15;
const RANK_BONUS = 0.1;
const ANSWER_TYPE_BONUS = 0.1;
/** A sentence scoring below this share of the best one is not worth adding. */
const RELATIVE_CUTOFF = 0.5;
/** Questions whose answer is a number or a date: sentences with digits are likelier answers. */
const NUMERIC_QUESTION = /\b(?:when|(?:what|which) (?:year|date|decade|century|time)|how (?:many|much|long|old|far|large|big|tall|high|often))\b/i;
const HAS_DIGIT = /\p{N}/u;

interface Candidate {
  hitIndex: number;
  start: number;
  end: number;
  text: string;
  terms: Set<string>;
  bigrams: Set<string>;
  score: number;
  matchedTerms: string[];
}

/**
 * Answers from the retrieved chunks alone by quoting their most relevant sentences.
 *
 * Score of a sentence = IDF-weighted share of the question's terms it contains (IDF over the
 * distinct sentences of all hits, so words every sentence shares count little) + 0.15 × share of
 * the question's term bigrams it contains + 0.1 / (1 + hit rank) + 0.1 when the question asks for a
 * number or date (when, how many…) and the sentence has a digit. Sentences with no question term
 * are never chosen; repeated sentences (overlapping chunks) are scored once, at their best hit.
 * Up to `maxSentences` sentences scoring at least half the best are chosen, grouped by hit (hits
 * in order of their best sentence, sentences in text order, so pronouns follow their antecedents).
 * Each chosen sentence gets its own citation and marker, so every marker points at the exact
 * sentence it quotes. A best sentence longer than `maxChars` is cut at a word boundary (no ellipsis
 * is added, so the snippet stays an exact slice). Pure and deterministic.
 */
export function answerExtractively(request: ExtractiveAnswerRequest): ExtractiveAnswer {
  const questionTerms = tokenizeTerms(request.question);
  const candidates = collectCandidates(request.hits);
  scoreCandidates(candidates, request.question, questionTerms);
  const ranked = candidates
    .filter((candidate) => candidate.score > 0)
    .sort((left, right) => right.score - left.score || left.hitIndex - right.hitIndex || left.start - right.start);
  const chosen = chooseSentences(ranked, request.hits, request.maxSentences ?? 3, request.maxChars);
  const result = buildAnswer(chosen, request.hits);
  if (!request.includeSentenceScores) return result;
  const sentenceScores = ranked.map(({ hitIndex, start, end, score, matchedTerms }) => ({ hitIndex, start, end, score, matchedTerms }));
  return { ...result, sentenceScores };
}

/** Sets `score` and `matchedTerms` of every candidate; candidates sharing no question term keep score 0. */
function scoreCandidates(candidates: Candidate[], question: string, questionTerms: string[]): void {
  const questionTermSet = new Set(questionTerms);
  const questionBigrams = new Set(bigramsOf(questionTerms));
  const expectsNumber = NUMERIC_QUESTION.test(question);
  const inverseFrequency = inverseSentenceFrequencies(candidates, questionTermSet);
  let questionWeight = 0;
  for (const term of questionTermSet) questionWeight += inverseFrequency.get(term) ?? 0;
  for (const candidate of candidates) {
    let matchedWeight = 0;
    for (const term of questionTermSet) {
      if (!candidate.terms.has(term)) continue;
      matchedWeight += inverseFrequency.get(term) ?? 0;
      candidate.matchedTerms.push(term);
    }
    if (candidate.matchedTerms.length === 0) continue;
    let matchedBigrams = 0;
    for (const bigram of questionBigrams) if (candidate.bigrams.has(bigram)) matchedBigrams++;
    const bigramShare = questionBigrams.size === 0 ? 0 : matchedBigrams / questionBigrams.size;
    candidate.score = matchedWeight / questionWeight + BIGRAM_BONUS * bigramShare + RANK_BONUS / (1 + candidate.hitIndex);
    if (expectsNumber && HAS_DIGIT.test(candidate.text)) candidate.score += ANSWER_TYPE_BONUS;
  }
}

function bigramsOf(terms: string[]): string[] {
  const bigrams: string[] = [];
  for (let index = 1; index < terms.length; index++) bigrams.push(`${terms[index - 1]} ${terms[index]}`);
  return bigrams;
}

function collectCandidates(hits: Passage[]): Candidate[] {
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  hits.forEach((hit, hitIndex) => {
    for (const sentence of splitSentences(hit.text)) {
      const key = normalizeText(sentence.text).replace(/\s+/g, " ");
      if (seen.has(key)) continue;
      seen.add(key);
      const terms = tokenizeTerms(sentence.text);
      const candidate = { hitIndex, start: sentence.start, end: sentence.end, text: sentence.text, score: 0, matchedTerms: [] };
      candidates.push({ ...candidate, terms: new Set(terms), bigrams: new Set(bigramsOf(terms)) });
    }
  });
  return candidates;
}

/** BM25-style IDF of each question term over the candidate sentences; always positive. */
function inverseSentenceFrequencies(candidates: Candidate[], questionTerms: Set<string>): Map<string, number> {
  const weights = new Map<string, number>();
  for (const term of questionTerms) {
    let documentFrequency = 0;
    for (const candidate of candidates) if (candidate.terms.has(term)) documentFrequency++;
    const total = candidates.length;
    weights.set(term, Math.log(1 + (total - documentFrequency + 0.5) / (documentFrequency + 0.5)));
  }
  return weights;
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
