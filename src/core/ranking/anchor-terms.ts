import { tokenizeTerms } from "../text/text-tokens.js";

/** Shortest anchor term: two-letter pieces ("WW-II" → "ww") name nothing on their own. */
const MIN_ANCHOR_LENGTH = 3;
/** From this share of capitalised words (after the first) on, the question is a title and capitals name nothing. */
const TITLE_CASE_SHARE = 0.85;

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
/** What may separate two words of one name: spaces, a hyphen, a dot ("Super Bowl", "Rolls-Royce", "J. R. R."). */
const NAME_GAP = /^[\s\-.]*$/u;
const NUMBER = /^\p{N}{2,}$/u;
const CAPITALISED = /^\p{Lu}/u;
const HAS_LETTER = /\p{L}/u;

/**
 * The anchors of a question: the names and numbers it is about, each as the retrieval terms of one
 * phrase, in order. A name is a run of capitalised words after the first word ("Hedy Lamarr",
 * "Super Bowl LVIII"; a stopword or punctuation ends it), unless the question capitalises nearly
 * all its words (a title: then capitals name nothing); a number is a word of two or more digits
 * ("2018"). When the documents never mention an anchor, they cannot answer the question, however
 * many of its other words they share.
 *
 * Contract: pure; distinct phrases (non-empty term lists as `tokenizeTerms` gives them) in first-seen
 * order; stopwords and terms shorter than three characters are left out of every phrase.
 */
export function questionAnchors(question: string): string[][] {
  const words = [...question.normalize("NFKC").matchAll(WORD)].map((match) => ({ text: match[0], start: match.index, end: match.index + match[0].length }));
  // Title case is judged on the content words after the first, of three letters or more ("vs." and numbers do not count).
  const later = words.slice(1).filter((word) => word.text.length >= MIN_ANCHOR_LENGTH && HAS_LETTER.test(word.text) && tokenizeTerms(word.text).length > 0);
  const capitalised = later.filter((word) => CAPITALISED.test(word.text)).length;
  const titleCase = later.length > 0 && capitalised / later.length >= TITLE_CASE_SHARE;
  const phrases: string[][] = [];
  let run: string[] = [];
  let runEnd = -1;
  const close = () => {
    if (run.length > 0) phrases.push(run);
    run = [];
  };
  words.forEach((word, index) => {
    const terms = tokenizeTerms(word.text).filter((term) => term.length >= MIN_ANCHOR_LENGTH);
    if (NUMBER.test(word.text)) {
      close();
      if (terms.length > 0) phrases.push(terms);
      return;
    }
    const named = index > 0 && !titleCase && CAPITALISED.test(word.text) && terms.length > 0;
    if (!named || !NAME_GAP.test(question.normalize("NFKC").slice(runEnd, word.start))) close();
    if (named) {
      run.push(...terms);
      runEnd = word.end;
    }
  });
  close();
  const seen = new Set<string>();
  return phrases.filter((phrase) => {
    const key = phrase.join(" ");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
