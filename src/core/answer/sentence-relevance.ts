/** A sentence to score: its analysed terms in order, and where it sits among its passage's sentences. */
export interface ScoredSentence {
  /** Rank of the passage it comes from (0 = best retrieved). */
  hitIndex: number;
  /** Position among the sentences of its passage, in text order. */
  position: number;
  /** False for headings, code, contents and navigation: they lend context but are never scored. */
  quotable: boolean;
  isHeading: boolean;
  terms: string[];
  /** True when the sentence has a digit (answers to "when", "how many"…). */
  hasNumber: boolean;
  score: number;
  matchedTerms: string[];
}

/** Weights of the parts added to the sentence's own weighted coverage, which is in [0, 1]. */
const PROXIMITY_WEIGHT = 0.05;
const CONTEXT_WEIGHT = 0.1;
const PASSAGE_WEIGHT = 0.1;
const RANK_WEIGHT = 0.1;
const ANSWER_TYPE_WEIGHT = 0.1;
/** BM25 saturation for repeated terms inside one sentence. */
const TERM_SATURATION = 1.2;
/** Questions whose answer is a number or a date: sentences with digits are likelier answers. */
const NUMERIC_QUESTION = /\b(?:when|(?:what|which) (?:year|date|decade|century|time)|how (?:many|much|long|old|far|large|big|tall|high|often))\b/i;

/**
 * Scores every quotable sentence for a question; the others, and sentences sharing no question
 * term, keep score 0.
 *
 * score = coverage + 0.05 × proximity + 0.1 × context coverage + 0.1 × passage coverage
 *         + 0.1 / (1 + passage rank) (+ 0.1 when the question asks for a number or date and the
 *         sentence has a digit)
 * - coverage: the question terms the sentence contains, each weighted by its BM25 IDF over all the
 *   sentences (so words every sentence shares count little) and saturated by its frequency in the
 *   sentence, as a share of the weight of all question terms;
 * - proximity: how tightly the matched terms sit: matched distinct terms over the length (in terms)
 *   of the shortest window that holds them all, 0 for a single matched term;
 * - context coverage: the same weighted coverage of the terms the sentence lacks, found in the
 *   sentences just before and after it in the same passage and in the nearest heading above it
 *   (a pronoun's antecedent, a topic stated once), so an answer in a passage about the question outranks a lookalike elsewhere.
 */
export function scoreSentences(sentences: ScoredSentence[], question: string, questionTerms: string[]): void {
  const distinctQuestionTerms = [...new Set(questionTerms)];
  const idf = inverseSentenceFrequencies(sentences, distinctQuestionTerms);
  let totalWeight = 0;
  for (const term of distinctQuestionTerms) totalWeight += idf.get(term) ?? 0;
  if (totalWeight === 0) return;
  const expectsNumber = NUMERIC_QUESTION.test(question);
  const termSets = sentences.map((sentence) => new Set(sentence.terms));
  const neighbours = neighbourIndex(sentences);
  const passageTerms = new Map<number, Set<string>>();
  sentences.forEach((sentence, index) => {
    const set = passageTerms.get(sentence.hitIndex) ?? new Set<string>();
    for (const term of termSets[index]!) set.add(term);
    passageTerms.set(sentence.hitIndex, set);
  });
  const passageCoverage = new Map<number, number>();
  for (const [hitIndex, set] of passageTerms) {
    let weight = 0;
    for (const term of distinctQuestionTerms) if (set.has(term)) weight += idf.get(term) ?? 0;
    passageCoverage.set(hitIndex, weight / totalWeight);
  }

  sentences.forEach((sentence, index) => {
    if (!sentence.quotable) return;
    const terms = termSets[index]!;
    let coverage = 0;
    for (const term of distinctQuestionTerms) {
      if (!terms.has(term)) continue;
      sentence.matchedTerms.push(term);
      const frequency = sentence.terms.filter((candidate) => candidate === term).length;
      coverage += ((idf.get(term) ?? 0) * (frequency * (TERM_SATURATION + 1))) / (frequency + TERM_SATURATION) / (TERM_SATURATION + 1);
    }
    if (sentence.matchedTerms.length === 0) return;
    let contextCoverage = 0;
    const around = neighbours(index).map((neighbour) => termSets[neighbour]!);
    for (const term of distinctQuestionTerms) if (!terms.has(term) && around.some((set) => set.has(term))) contextCoverage += idf.get(term) ?? 0;
    sentence.score =
      coverage / totalWeight +
      PROXIMITY_WEIGHT * proximity(sentence.terms, new Set(sentence.matchedTerms)) +
      (CONTEXT_WEIGHT * contextCoverage) / totalWeight +
      RANK_WEIGHT / (1 + sentence.hitIndex) +
      PASSAGE_WEIGHT * (passageCoverage.get(sentence.hitIndex) ?? 0);
    if (expectsNumber && sentence.hasNumber) sentence.score += ANSWER_TYPE_WEIGHT;
  });
}

/** BM25-style IDF of each question term over the sentences; always positive. */
function inverseSentenceFrequencies(sentences: ScoredSentence[], questionTerms: string[]): Map<string, number> {
  const documentFrequency = new Map<string, number>(questionTerms.map((term) => [term, 0]));
  for (const sentence of sentences) {
    for (const term of new Set(sentence.terms)) {
      const count = documentFrequency.get(term);
      if (count !== undefined) documentFrequency.set(term, count + 1);
    }
  }
  const total = sentences.length;
  return new Map([...documentFrequency].map(([term, frequency]) => [term, Math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))]));
}

/** Matched distinct terms over the shortest run of terms that contains each of them at least once. */
function proximity(terms: string[], matched: Set<string>): number {
  if (matched.size <= 1) return 0;
  const counts = new Map<string, number>();
  let covered = 0;
  let best = Infinity;
  let left = 0;
  for (let right = 0; right < terms.length; right++) {
    const term = terms[right]!;
    if (!matched.has(term)) continue;
    const count = counts.get(term) ?? 0;
    counts.set(term, count + 1);
    if (count === 0) covered++;
    while (covered === matched.size) {
      best = Math.min(best, right - left + 1);
      const leftTerm = terms[left]!;
      left++;
      if (!matched.has(leftTerm)) continue;
      const leftCount = counts.get(leftTerm)! - 1;
      counts.set(leftTerm, leftCount);
      if (leftCount === 0) covered--;
    }
  }
  return matched.size / best;
}

/** For a sentence index: the sentences right before and after it in its passage, and the nearest heading above it. */
function neighbourIndex(sentences: ScoredSentence[]): (index: number) => number[] {
  const byPlace = new Map<string, number>();
  const headingAbove = new Map<number, number>();
  let lastHeading: { hitIndex: number; index: number } | null = null;
  sentences.forEach((sentence, index) => {
    byPlace.set(`${sentence.hitIndex}:${sentence.position}`, index);
    if (lastHeading?.hitIndex === sentence.hitIndex) headingAbove.set(index, lastHeading.index);
    if (sentence.isHeading) lastHeading = { hitIndex: sentence.hitIndex, index };
  });
  return (index) => {
    const { hitIndex, position } = sentences[index]!;
    const places = [byPlace.get(`${hitIndex}:${position - 1}`), byPlace.get(`${hitIndex}:${position + 1}`), headingAbove.get(index)];
    return [...new Set(places.filter((found): found is number => found !== undefined))];
  };
}
