/** Shortest term that may match another spelling: shorter words differ in one letter too often by meaning. */
export const MIN_VARIANT_LENGTH = 6;

const HAS_DIGIT = /\p{N}/u;

/**
 * True when `a` and `b` are at most one edit apart (one letter inserted, deleted, replaced, or two
 * neighbouring letters swapped: "celeron" / "celoron", "recieve" / "receive").
 *
 * Contract: pure; O(length).
 */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const restA = endA - start;
  const restB = endB - start;
  if (restA <= 1 && restB <= 1) return true;
  // Two neighbouring letters swapped.
  return restA === 2 && restB === 2 && a[start] === b[start + 1] && a[start + 1] === b[start];
}

/**
 * Spelling variants of a query term among the terms of the candidates: the terms one edit away
 * (withinOneEdit), both at least MIN_VARIANT_LENGTH long and without digits (numbers one digit apart
 * are different numbers), and not the same stem with one letter more or less at the end (the stemmer
 * has already removed inflections, so "modesto" and "modest" are different words). Meant only for a term no candidate contains as it is: a misspelt or
 * differently transliterated name ("Celeron" for "Céloron"), never to widen a term the documents have.
 *
 * Contract: pure; variants in the vocabulary's iteration order, the term itself excluded.
 */
export function spellingVariants(term: string, vocabulary: Iterable<string>): string[] {
  if (!isVariantCandidate(term)) return [];
  const variants: string[] = [];
  for (const other of vocabulary)
    if (other !== term && isVariantCandidate(other) && withinOneEdit(term, other) && !extendsByOneLetter(term, other)) variants.push(other);
  return variants;
}

function isVariantCandidate(term: string): boolean {
  return term.length >= MIN_VARIANT_LENGTH && !HAS_DIGIT.test(term);
}

function extendsByOneLetter(a: string, b: string): boolean {
  const [shorter, longer] = a.length < b.length ? [a, b] : [b, a];
  return longer.length === shorter.length + 1 && longer.startsWith(shorter);
}
