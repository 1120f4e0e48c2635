import { tokenizeTerms } from "../text/text-tokens.js";
import { answerSentences } from "./answer-sentences.js";
import type { Citation, Passage } from "./passages.js";

/** How well one answer sentence is backed by the passages it cites (the GroundingJudge port's vocabulary). */
export type SupportLevel = "supported" | "partly" | "unsupported";

export interface SentenceCheck {
  /** 0-based position of the sentence in the answer. */
  index: number;
  /** The sentence as written, with its "[n]" markers. */
  text: string;
  support: SupportLevel;
  /** The first "[n]" the sentence cites that points at a passage; null when it cites nothing usable. */
  citation: number | null;
  /** Why it is not supported; absent when supported. */
  reason?: string;
}

export interface SupportCheck {
  /** Supported share of the checked sentences (partly counts half); 1 for an answer with no sentence. */
  score: number;
  sentences: SentenceCheck[];
}

/** Coverage of the sentence's content terms by its cited passages: at least `supported` → supported, at least `partly` → partly. */
export interface SupportThresholds {
  supported: number;
  partly: number;
}

export const DEFAULT_SUPPORT_THRESHOLDS: SupportThresholds = { supported: 0.8, partly: 0.5 };

const MARKER = /\[(\d{1,4})\]/g;
const LEADING_MARKERS = /^(?:\[\d{1,4}\]\s*)+[.,;:]?\s*/;
/** A number as written: "12", "3.5", "1,200", "-4" (thousands separators dropped when comparing). */
const NUMBER = /(?<![\p{L}\d])-?\d+(?:[.,]\d+)*(?![\p{L}\d])/gu;
/** Sentences that decline to answer or say the documents are silent: they need no citation. */
const REFUSAL =
  /\b(?:(?:could|can|do|does|did)(?:\s*not|n't)\s+(?:find|say|mention|contain|state|specify|provide|include|cover)|no (?:information|mention|passage|document)|not (?:stated|mentioned|specified|covered|found)|(?:passages|documents) (?:do not|don't)|insufficient)\b/i;

/**
 * The passage each "[n]" marker of an answer points at: through the answer's citations (by chunk id:
 * the extractive answerer numbers its markers in order of appearance), else passages[n - 1] (a
 * model's markers are passage numbers). A marker pointing at neither is absent.
 */
export function citedPassages(citations: Array<Pick<Citation, "n" | "chunkId">>, passages: Passage[]): Map<number, Passage> {
  const cited = new Map<number, Passage>();
  passages.forEach((passage, index) => cited.set(index + 1, passage));
  for (const citation of citations) {
    const passage = passages.find((candidate) => candidate.id === citation.chunkId);
    if (passage) cited.set(citation.n, passage);
  }
  return cited;
}

/**
 * The local grounding judge: each sentence of `answer` (its "[n]" markers resolved by
 * `citedPassages`) is checked against the passages it cites. Its content words
 * (the retrieval analysis: stop words dropped, Porter2 stems) must be covered by the cited passages'
 * words, and every number it states must appear in them: a number absent from the passages makes it
 * unsupported whatever the word coverage. A sentence without a usable citation is unsupported unless
 * it is a refusal ("the documents do not say…") or a connective without content words; those are
 * counted as supported.
 *
 * What it cannot see: meaning. A negation flipped ("is not active" vs "is active"), swapped roles
 * ("A bought B" vs "B bought A"), synonyms (a paraphrase with other words reads as unsupported) and
 * facts assembled from words scattered over the passage all escape it. Pure and deterministic.
 */
export function checkSupport(input: {
  answer: string;
  passages: Passage[];
  citations?: Array<Pick<Citation, "n" | "chunkId">>;
  thresholds?: SupportThresholds;
}): SupportCheck {
  const thresholds = input.thresholds ?? DEFAULT_SUPPORT_THRESHOLDS;
  const cited = citedPassages(input.citations ?? [], input.passages);
  const analysed = new Map<string, Analysed>();
  const analyse = (text: string): Analysed => {
    let found = analysed.get(text);
    if (!found) analysed.set(text, (found = { terms: new Set(tokenizeTerms(text)), numbers: numbersIn(text) }));
    return found;
  };
  const sentences = splitAnswer(input.answer).map((text, index) => checkSentence(text, index, cited, thresholds, analyse));
  return { score: supportScore(sentences.map((sentence) => sentence.support)), sentences };
}

/** The answer's score from its sentences' verdicts: supported share, partly counting half; 1 for no sentence. */
export function supportScore(levels: SupportLevel[]): number {
  if (levels.length === 0) return 1;
  const points = levels.reduce((sum, level) => sum + (level === "supported" ? 1 : level === "partly" ? 0.5 : 0), 0);
  return points / levels.length;
}

/** One line per sentence that is not supported: what the review shows and the semantic retry's prompt states. */
export function unsupportedReasons(sentences: Array<{ text: string; support: SupportLevel; reason?: string }>): string[] {
  return sentences
    .filter((sentence) => sentence.support !== "supported")
    .map(
      (sentence) =>
        `${sentence.support === "partly" ? "partly supported" : "unsupported"}: "${sentence.text}"${sentence.reason ? ` (${sentence.reason})` : ""}`,
    );
}

/** The answer's sentences, a run of markers after a sentence's period ("… Sicily. [1]") kept with that sentence. */
export function splitAnswer(answer: string): string[] {
  const pieces: string[] = [];
  for (const span of answerSentences(answer)) {
    let text = span.text.trim();
    const leading = pieces.length > 0 ? (LEADING_MARKERS.exec(text)?.[0] ?? "") : "";
    if (leading) {
      pieces[pieces.length - 1] = `${pieces[pieces.length - 1]} ${leading.trim()}`;
      text = text.slice(leading.length).trim();
    }
    if (text.length > 0) pieces.push(text);
  }
  return pieces;
}

/** A cited text's terms and numbers, analysed once per check. */
interface Analysed {
  terms: Set<string>;
  numbers: Set<string>;
}

function checkSentence(
  text: string,
  index: number,
  passages: Map<number, Passage>,
  thresholds: SupportThresholds,
  analyse: (text: string) => Analysed,
): SentenceCheck {
  const cited = [...new Set([...text.matchAll(MARKER)].map((match) => Number(match[1])))].filter((n) => passages.has(n));
  const claim = text.replace(MARKER, " ");
  const terms = new Set(tokenizeTerms(claim).filter((term) => !/\d/.test(term)));
  const numbers = numbersIn(claim);
  const citation = cited[0] ?? null;
  if (citation === null) {
    if (REFUSAL.test(claim) || (terms.size === 0 && numbers.size === 0)) return { index, text, support: "supported", citation };
    return { index, text, support: "unsupported", citation, reason: "cites no passage" };
  }
  const { terms: sourceTerms, numbers: sourceNumbers } = analyse(cited.map((n) => passages.get(n)!.text).join("\n"));
  const markers = cited.map((n) => `[${n}]`).join("");
  const missingNumbers = [...numbers].filter((number) => !sourceNumbers.has(number));
  if (missingNumbers.length > 0) return { index, text, support: "unsupported", citation, reason: `${missingNumbers.join(", ")} not in ${markers}` };
  const missing = [...terms].filter((term) => !sourceTerms.has(term));
  const coverage = terms.size === 0 ? 1 : (terms.size - missing.length) / terms.size;
  if (coverage >= thresholds.supported) return { index, text, support: "supported", citation };
  const reason = `${Math.round(coverage * 100)}% of its words in ${markers} (missing: ${missing.slice(0, 6).join(", ")})`;
  return { index, text, support: coverage >= thresholds.partly ? "partly" : "unsupported", citation, reason };
}

/** The numbers of a text, normalised: thousands separators dropped ("1,200" → "1200"), a decimal comma read as a point. */
function numbersIn(text: string): Set<string> {
  const found = new Set<string>();
  for (const match of text.matchAll(NUMBER)) found.add(normalizeNumber(match[0]));
  return found;
}

function normalizeNumber(raw: string): string {
  const groups = raw.split(/[.,]/);
  // "1,200" / "1.200.000": groups of three after the first are thousands; otherwise the last separator is a decimal point.
  if (groups.length > 1 && groups.slice(1).every((group) => group.length === 3) && !/^-?\d+\.\d{3}$/.test(raw)) return groups.join("");
  if (groups.length === 1) return raw;
  return `${groups.slice(0, -1).join("")}.${groups.at(-1)}`;
}
