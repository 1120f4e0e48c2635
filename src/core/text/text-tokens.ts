import { stem as porter2Stem } from "porter2";

/**
 * The one tokenizer retrieval uses everywhere (local embedder, extractive answerer, BM25 sparse
 * vectors), so that a question and a passage are always cut into comparable terms.
 */

/** Most frequent English function words (plus question words): they carry no topic. */
const STOPWORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all also am an and any are as at be because been before being " +
    "below between both but by can could did do does doing done down during each either else ever every " +
    "few for from further get gets got had has have having he her here hers herself him himself his how " +
    "however i if in into is it its itself just least less let like many may me might more most much " +
    "must my myself neither no nor not now of off often on once one only or other others our ours " +
    "ourselves out over own per quite rather same several shall she should since so some such than " +
    "that the their theirs them themselves then there these they this those though through thus to too " +
    "under until up upon us very was we well were what whatever when where whereas whether which while " +
    "who whom whose why will with within without would yet you your yours yourself yourselves " +
    "s t d ll m re ve dont doesnt didnt isnt wasnt arent werent cant wont im ive youre theyre"
  ).split(" "),
);

/** Letters without a canonical decomposition that should still fold to ASCII. */
const LETTER_FOLDS: Readonly<Record<string, string>> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  ł: "l",
  đ: "d",
  ð: "d",
  þ: "th",
  ı: "i",
};

const WORD_PATTERN = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
const COMBINING_DIACRITICS = /[\u0300-\u036f]/g;
const FOLDABLE_LETTERS = /[ßæœøłđðþı]/g;
const APOSTROPHES = /['’]/g;
const POSSESSIVE_SUFFIX = /['’]s$/;
/** Scripts written without spaces: each character is its own token (bigrams then pair them). */
const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;
const UNSPACED_SCRIPT_SPLIT = /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}])/u;
const HAS_DIGIT = /\p{N}/u;
const VOWEL = /[aeiouy]/;
const DOUBLE_CONSONANT_END = /([bcdfghjkmnpqrtvwx])\1$/;

/**
 * NFKC-normalises, lowercases and folds Latin diacritics ("Café" → "cafe", "ﬁ" → "fi");
 * only combining marks of the Latin/Greek/Cyrillic block are dropped, so other scripts' vowel signs survive.
 */
export function normalizeText(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .normalize("NFD")
    .replace(COMBINING_DIACRITICS, "")
    .normalize("NFC")
    .replace(FOLDABLE_LETTERS, (letter) => LETTER_FOLDS[letter] ?? letter);
}

/**
 * Splits text into normalised word tokens (runs of Unicode letters and digits), in order.
 * Possessive "'s" is dropped and inner apostrophes removed ("don't" → "dont"); characters of
 * unspaced scripts (Chinese, Japanese, Thai) become one token each. Never returns empty strings.
 */
export function tokenizeWords(text: string): string[] {
  const words: string[] = [];
  for (const match of normalizeText(text).matchAll(WORD_PATTERN)) {
    const word = match[0].replace(POSSESSIVE_SUFFIX, "").replace(APOSTROPHES, "");
    if (word.length === 0) continue;
    if (!UNSPACED_SCRIPT.test(word)) {
      words.push(word);
      continue;
    }
    for (const piece of word.split(UNSPACED_SCRIPT_SPLIT)) if (piece.length > 0) words.push(piece);
  }
  return words;
}

/** True for a normalised word that carries no topic (see `tokenizeWords`); case-sensitive on purpose. */
export function isStopword(word: string): boolean {
  return STOPWORDS.has(word);
}

/**
 * The local hashed embedder's own light suffix stripper (frozen: changing it changes every stored local
 * vector). Retrieval terms use the Snowball English (Porter2) stemmer instead, see `tokenizeTerms`.
 * Light, deterministic English suffix stripper for a normalised word: plural -s/-es/-ies, -ing,
 * -ed, -ly, then y→i and a final silent e, so that "studies"/"study", "making"/"make",
 * "boxes"/"box", "stopped"/"stop" meet. Stems are not words; only equality between stems matters.
 * Words with digits and words of one or two characters are returned unchanged.
 */
export function stemWord(word: string): string {
  if (word.length <= 2 || HAS_DIGIT.test(word)) return word;
  let stem = stripPlural(word);
  const beforeVerbSuffix = stem;
  stem = stripVerbOrAdverbSuffix(stem);
  if (stem !== beforeVerbSuffix && DOUBLE_CONSONANT_END.test(stem)) stem = stem.slice(0, -1);
  if (stem.length > 2 && stem.endsWith("y") && !VOWEL.test(stem.charAt(stem.length - 2))) {
    stem = `${stem.slice(0, -1)}i`;
  }
  if (stem.length >= 3 && stem.endsWith("e")) stem = stem.slice(0, -1);
  return stem;
}

function stripPlural(word: string): string {
  if (word.endsWith("sses")) return word.slice(0, -2);
  if (word.endsWith("ies")) return word.length > 4 ? `${word.slice(0, -3)}i` : word.slice(0, -1);
  if (word.endsWith("ss") || word.endsWith("us") || word.endsWith("is")) return word;
  if (word.endsWith("s") && word.length >= 4) return word.slice(0, -1);
  return word;
}

function stripVerbOrAdverbSuffix(word: string): string {
  if (word.endsWith("ing")) return stripIfStemHasVowel(word, 3, 3);
  if (word.endsWith("eed")) return word.length > 4 ? word.slice(0, -1) : word;
  if (word.endsWith("ied")) return word.length > 4 ? `${word.slice(0, -3)}i` : word;
  if (word.endsWith("ed")) return stripIfStemHasVowel(word, 2, 2);
  if (word.endsWith("ly") && !/[ilp]ly$/.test(word)) return stripIfStemHasVowel(word, 2, 4);
  return word;
}

function stripIfStemHasVowel(word: string, suffixLength: number, minimumStemLength: number): string {
  const stem = word.slice(0, -suffixLength);
  return stem.length >= minimumStemLength && VOWEL.test(stem) ? stem : word;
}

/**
 * Retrieval term of one normalised word: the Snowball English (Porter2) stem of words of letters;
 * words with digits and words of unspaced scripts are kept as they are.
 */
export function retrievalTerm(word: string): string {
  if (word.length <= 2 || HAS_DIGIT.test(word) || UNSPACED_SCRIPT.test(word)) return word;
  return porter2Stem(word);
}

/**
 * Retrieval terms of a text — the one lexical analysis of Ragline, used for questions and passages
 * alike, by every store's full-text index, the relevance threshold and the extractive answerer:
 * `tokenizeWords` (NFKC, lowercase, ASCII folding), minus stopwords, each through `retrievalTerm`.
 * Order and repetitions are kept (term frequency and bigrams need them).
 */
export function tokenizeTerms(text: string): string[] {
  const terms: string[] = [];
  for (const word of tokenizeWords(text)) if (!isStopword(word)) terms.push(retrievalTerm(word));
  return terms;
}
