import { splitSentences, type SentenceSpan } from "../text/sentence-splitter.js";

/** A piece ending in one of these closes a sentence; any other ending means the sentence goes on. */
const SENTENCE_END = /[.!?…:;]["'”’)\]]*$/u;
/** A blank line between two pieces: a paragraph break, never one sentence. */
const PARAGRAPH_BREAK = /\n[^\S\n]*\n/;
/** Citation abbreviations that end in a period inside a sentence: "Jones et al. 1998", "FCC v. Pacifica". */
const CITATION_ABBREVIATION = /(?:\bet al|(?:^|\s)v)\.$/u;
const CONTINUES_LOWER_OR_DIGIT = /^[\p{Ll}\p{N}]/u;

/**
 * The sentences the extractive answerer quotes: `splitSentences`, with two repairs of pieces that
 * are one sentence in the text. Two prose pieces of one paragraph (no blank line between them) are
 * joined when the first does not end like a sentence ("… the resulting O" + "2 content is high.":
 * a subscript or a wrapped line that began a new block), or ends in a citation abbreviation ("FCC v."
 * + "Pacifica Foundation.", "Jones et al." + "1998, …"; after "et al." only when the next piece goes
 * on in lower case or with a digit). Offsets stay exact: `text.slice(start, end) === sentence.text`.
 *
 * Contract: pure; sentences in text order, none overlapping, each within `text`.
 */
export function answerSentences(text: string): SentenceSpan[] {
  const merged: SentenceSpan[] = [];
  for (const sentence of splitSentences(text)) {
    const previous = merged.at(-1);
    if (previous !== undefined && continuesInto(text, previous, sentence)) {
      merged[merged.length - 1] = { ...previous, end: sentence.end, text: text.slice(previous.start, sentence.end) };
      continue;
    }
    merged.push(sentence);
  }
  return merged;
}

function continuesInto(text: string, previous: SentenceSpan, next: SentenceSpan): boolean {
  if (previous.kind !== "prose" || next.kind !== "prose") return false;
  if (PARAGRAPH_BREAK.test(text.slice(previous.end, next.start))) return false;
  if (!SENTENCE_END.test(previous.text)) return true;
  const citation = CITATION_ABBREVIATION.exec(previous.text);
  if (citation === null) return false;
  return citation[0].trim() === "v." || CONTINUES_LOWER_OR_DIGIT.test(next.text);
}
