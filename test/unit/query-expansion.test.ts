import { describe, expect, it } from "vitest";
import { lexicalQueryTerms } from "../../src/core/ranking/lexical-query.js";
import { expandWithRm3, RM3_DEFAULTS, type FeedbackCandidate } from "../../src/core/ranking/query-expansion.js";

const candidate = (text: string, score: number, title = ""): FeedbackCandidate => ({ text, score, metadata: { title } });
const asRecord = (terms: ReadonlyArray<{ term: string; weight: number }>) => Object.fromEntries(terms.map(({ term, weight }) => [term, weight]));

describe("expandWithRm3", () => {
  // Feedback weights 3/4 and 1/4. P(t|D): first {tesla 2/4, coil 1/4, radio 1/4}, second {radio 1/2, patent 1/2}.
  // P(t|R): tesla 0.375, radio 0.3125, coil 0.1875, patent 0.125.
  const feedback = [candidate("Tesla coil, Tesla radio.", 3), candidate("The radio patent.", 1)];

  it("interpolates the query with the relevance model of the feedback documents, weighted by their scores", () => {
    const expanded = expandWithRm3(lexicalQueryTerms("Who invented the Tesla?"), feedback, { feedbackDocs: 10, expansionTerms: 2, originalWeight: 0.5 });
    // Top 2 feedback terms renormalised: tesla 0.375 / 0.6875, radio 0.3125 / 0.6875; P(t|Q) = 1/2 each; λ = 0.5; total weight 2.
    const tesla = 2 * (0.5 * 0.5 + 0.5 * (0.375 / 0.6875));
    const radio = 2 * (0.5 * (0.3125 / 0.6875));
    expect(expanded.map((term) => term.term)).toEqual(["tesla", "invent", "radio"]);
    expect(expanded[0]!.weight).toBeCloseTo(tesla, 12);
    expect(expanded[1]!.weight).toBeCloseTo(1 * 0.5, 12);
    expect(expanded[2]!.weight).toBeCloseTo(radio, 12);
    // The expanded query carries the original query's total weight.
    expect(expanded.reduce((sum, term) => sum + term.weight, 0)).toBeCloseTo(2, 12);
  });

  it("keeps E feedback terms and the query unchanged when λ is 1 or there is nothing to learn from", () => {
    const query = lexicalQueryTerms("invented Tesla");
    const allFour = expandWithRm3(query, feedback, { feedbackDocs: 10, expansionTerms: 4, originalWeight: 0.5 });
    expect(new Set(allFour.map((term) => term.term))).toEqual(new Set(["invent", "tesla", "radio", "coil", "patent"]));
    expect(asRecord(expandWithRm3(query, feedback, { ...RM3_DEFAULTS, originalWeight: 1 }))).toEqual({ invent: 1, tesla: 1 });
    expect(expandWithRm3(query, [], RM3_DEFAULTS)).toEqual(query);
    expect(expandWithRm3([], feedback, RM3_DEFAULTS)).toEqual([]);
  });

  it("reads only the F best-scored candidates, titles included, and weighs them equally when every score is 0", () => {
    const ordered = [candidate("radio", 1), candidate("wireless", 5, "Engineer"), candidate("patent", 2)];
    const two = asRecord(expandWithRm3(lexicalQueryTerms("tesla"), ordered, { feedbackDocs: 2, expansionTerms: 10, originalWeight: 0.5 }));
    // Feedback: "Engineer wireless" (5/7: engin 1/2, wireless 1/2) and "patent" (2/7); "radio" is the third best, left out.
    expect(Object.keys(two).sort()).toEqual(["engin", "patent", "tesla", "wireless"]);
    expect(two.engin).toBeCloseTo(0.5 * (5 / 7) * 0.5, 12);
    expect(two.patent).toBeCloseTo(0.5 * (2 / 7), 12);

    const flat = asRecord(expandWithRm3(lexicalQueryTerms("tesla"), [candidate("radio", 0), candidate("patent", 0)], RM3_DEFAULTS));
    expect(flat.radio).toBeCloseTo(flat.patent!, 12);
    expect(flat.radio).toBeCloseTo(0.5 * 0.5, 12);
  });

  it("lets the original weight move the balance between the query and its feedback terms", () => {
    const query = lexicalQueryTerms("invented Tesla");
    const heavy = asRecord(expandWithRm3(query, feedback, { feedbackDocs: 10, expansionTerms: 4, originalWeight: 0.9 }));
    const light = asRecord(expandWithRm3(query, feedback, { feedbackDocs: 10, expansionTerms: 4, originalWeight: 0.2 }));
    expect(heavy.invent).toBeGreaterThan(light.invent!);
    expect(heavy.radio).toBeLessThan(light.radio!);
    expect(expandWithRm3(query, feedback, { feedbackDocs: 10, expansionTerms: 4, originalWeight: 0 }).some((term) => term.term === "invent")).toBe(false);
  });
});
