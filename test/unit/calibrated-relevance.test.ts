import { describe, expect, it } from "vitest";
import { questionAnchors } from "../../src/core/ranking/anchor-terms.js";
import { calibratedRelevance, RELEVANCE_DENSE_SHARE } from "../../src/core/ranking/calibrated-relevance.js";
import { spellingVariants, withinOneEdit } from "../../src/core/ranking/spelling-variants.js";
import { tokenizeTerms } from "../../src/core/text/text-tokens.js";

const candidate = (text: string, dense = 0) => ({ terms: tokenizeTerms(text), dense });
/** A pool where every query term but the ones named is common, so weights are not degenerate. */
const filler = (count: number) => Array.from({ length: count }, (_, index) => candidate(`unrelated filler passage number ${index}`));

describe("withinOneEdit", () => {
  it("accepts one replaced, inserted, deleted or swapped letter and nothing more", () => {
    expect(withinOneEdit("celeron", "celoron")).toBe(true);
    expect(withinOneEdit("recieve", "receive")).toBe(true);
    expect(withinOneEdit("championship", "championshipt")).toBe(true);
    expect(withinOneEdit("celeron", "celeron")).toBe(true);
    expect(withinOneEdit("celeron", "caloron")).toBe(false);
    expect(withinOneEdit("lamarr", "lamarre1")).toBe(false);
    expect(withinOneEdit("abcdef", "badcef")).toBe(false);
  });
});

describe("spellingVariants", () => {
  it("finds a misspelt name's spelling among the pool terms", () => {
    expect(spellingVariants("celeron", ["celoron", "french", "ohio"])).toEqual(["celoron"]);
  });
  it("never matches numbers, short words, or a stem one letter longer or shorter at the end", () => {
    expect(spellingVariants("2018", ["2019", "2012"])).toEqual([]);
    expect(spellingVariants("lviii", ["xlviii", "lvii"])).toEqual([]);
    expect(spellingVariants("modesto", ["modest"])).toEqual([]);
  });
});

describe("questionAnchors", () => {
  it("returns capitalised runs after the first word and numbers, as retrieval terms", () => {
    expect(questionAnchors("In what year was Hedy Lamarr born?")).toEqual([["hedi", "lamarr"]]);
    expect(questionAnchors("Which NFL team represented the AFC at Super Bowl LVIII?")).toEqual([["nfl"], ["afc"], ["super", "bowl", "lviii"]]);
    expect(questionAnchors("Who won the 2018 FIFA World Cup?")).toEqual([["2018"], ["fifa", "world", "cup"]]);
  });
  it("finds no names in a question written in title case, only numbers", () => {
    expect(questionAnchors("Breast Cancer Cells Feed on Cholesterol")).toEqual([]);
    expect(questionAnchors("Fish Fog")).toEqual([]);
    expect(questionAnchors("Plant vs. Cow Calcium in 2012")).toEqual([["2012"]]);
  });
  it("finds nothing in a lower-case question", () => {
    expect(questionAnchors("what is the boiling point of liquid oxygen")).toEqual([]);
  });
});

describe("calibratedRelevance", () => {
  it("is the weighted sum of coverage and dense cosine when every anchor is in the pool", () => {
    const pool = [candidate("Nikola Tesla was born in the year 1856 in Smiljan.", 0.5), ...filler(12)];
    const [best] = calibratedRelevance("In what year was Nikola Tesla born?", pool);
    expect(best!.parts).toEqual({ coverage: 1, dense: 0.5, anchors: 1 });
    expect(best!.relevance).toBeCloseTo(1 - RELEVANCE_DENSE_SHARE + RELEVANCE_DENSE_SHARE * 0.5, 12);
  });

  it("drops to zero for a near miss: every other word shared, the name nowhere in the pool", () => {
    const pool = [candidate("Nikola Tesla was born in 1856 in Smiljan.", 0.5), ...filler(12)];
    const [best] = calibratedRelevance("In what year was Hedy Lamarr born?", pool);
    expect(best!.parts.anchors).toBe(0);
    expect(best!.relevance).toBe(0);
    // Without capitals the same words are not names: coverage alone decides.
    const [lower] = calibratedRelevance("in what year was hedy lamarr born?", pool);
    expect(lower!.parts.anchors).toBe(1);
    expect(lower!.relevance).toBeGreaterThan(0);
  });

  it("counts a name the pool only holds apart, far from each other, as missing", () => {
    const pool = [
      candidate("Taylor was a tailor in the old town of the river valley of the county.", 0.2),
      candidate("The swift river carried the boats to the sea.", 0.2),
      ...filler(12),
    ];
    const [first] = calibratedRelevance("How many awards has Taylor Swift won?", pool);
    expect(first!.parts.anchors).toBe(0);
    const near = [candidate("Awards won by Taylor, the singer known as Swift, number ten.", 0.2), ...filler(12)];
    expect(calibratedRelevance("How many awards has Taylor Swift won?", near)[0]!.parts.anchors).toBe(1);
  });

  it("lets a misspelt name match its spelling in the pool, for coverage and anchors", () => {
    const pool = [candidate("Céloron handled the meeting with Old Briton at Pickawillany.", 0.3), ...filler(12)];
    const [best] = calibratedRelevance("How did Celeron handle the meeting with Old Briton?", pool);
    expect(best!.parts.anchors).toBe(1);
    expect(best!.parts.coverage).toBeGreaterThan(0.6);
  });

  it("weighs a term every candidate holds less than a rare one", () => {
    const pool = [candidate("oxygen liquid pale blue", 0), ...Array.from({ length: 12 }, () => candidate("oxygen gas", 0))];
    const scored = calibratedRelevance("liquid oxygen", pool);
    // The first holds the rare liquid and the common oxygen; the others only oxygen, which weighs next to nothing.
    expect(scored[0]!.parts.coverage).toBe(1);
    expect(scored[1]!.parts.coverage).toBeGreaterThan(0);
    expect(scored[1]!.parts.coverage).toBeLessThan(0.05);
  });

  it("is the dense part alone for a question without terms, clamped to [0, 1]", () => {
    const scored = calibratedRelevance("what is it?", [candidate("anything", 0.9), candidate("else", -0.4)]);
    expect(scored.map((entry) => entry.relevance)).toEqual([RELEVANCE_DENSE_SHARE * 0.9, 0]);
  });
});
