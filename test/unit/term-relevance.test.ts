import { describe, expect, it } from "vitest";
import { rankCandidates, RELEVANCE_DENSE_SHARE } from "../../src/core/ranking/rank-candidates.js";
import { candidateTerms, distinctQueryTerms, poolTermWeights } from "../../src/core/ranking/term-relevance.js";

describe("poolTermWeights", () => {
  it("weighs a term by how few pool candidates contain it; a term no candidate contains weighs most", () => {
    const pool = [new Set(["tesla", "born"]), new Set(["born", "year"]), new Set(["born"])];
    const weights = poolTermWeights(["born", "tesla", "lamarr"], pool);
    // Three candidates count as a pool of MIN_TERM_POOL (10).
    expect(weights).toEqual([Math.log(11 / 3.5), Math.log(11 / 1.5), Math.log(11 / 0.5)]);
    const large = Array.from({ length: 40 }, (_, index) => new Set(index < 30 ? ["born"] : ["year"]));
    expect(poolTermWeights(["born", "year"], large)).toEqual([Math.log(41 / 30.5), Math.log(41 / 10.5)]);
  });

  it("reads terms with core/text analysis, titles included", () => {
    expect(distinctQueryTerms("In what year was Nikola Tesla born? Tesla!")).toEqual(["year", "nikola", "tesla", "born"]);
    expect(candidateTerms({ text: "He was born in 1856.", metadata: { title: "Nikola Tesla" } })).toEqual(new Set(["nikola", "tesla", "born", "1856"]));
  });
});

describe("rankCandidates relevance", () => {
  const chunk = (id: string, text: string, score: number) => ({ id, score, text, metadata: { title: "" } });
  const lists = {
    dense: [
      chunk("tesla", "Nikola Tesla was born in the year 1856 in Smiljan.", 0.3),
      chunk("edison", "Thomas Edison was born in 1847.", 0.2),
      // A realistic pool: "year" and "born" are common in it, the names are not.
      ...Array.from({ length: 12 }, (_, index) => chunk(`filler-${index}`, `Person ${index} was born in the year ${1900 + index}.`, 0.1)),
    ],
    lexical: [{ ...chunk("tesla", "Nikola Tesla was born in the year 1856 in Smiljan.", 8), similarity: 0.3 }],
  };

  it("is high when a chunk matches the question's rare terms and low when a name the documents never mention is missing", () => {
    const answerable = rankCandidates(lists, { topK: 1, candidateK: 5, minScore: 0.3, question: "In what year was Nikola Tesla born?" });
    expect(answerable.hits.map((hit) => hit.candidate.id)).toEqual(["tesla"]);
    expect(answerable.hits[0]!.scores.relevance).toBeGreaterThan(0.8);
    expect(answerable.hits[0]!.scores.relevanceParts).toMatchObject({ coverage: 1, anchors: 1 });

    const offTopic = rankCandidates(lists, { topK: 5, candidateK: 20, minScore: 0.3, question: "In what year was Hedy Lamarr born?" });
    expect(offTopic.hits).toEqual([]);
    expect(offTopic.cut.map((hit) => hit.candidate.id)).toContain("tesla");
    for (const hit of offTopic.cut) expect(hit.scores.relevance).toBeLessThan(0.3);
    // The names are nowhere in the pool: the anchor share is 0, whatever the rest of the question shares.
    expect(offTopic.cut[0]!.scores.relevanceParts?.anchors).toBe(0);
  });

  it("keeps a matching question over a one-chunk corpus, where pool weights alone would overrate the missing word", () => {
    const single = { dense: [chunk("quokka", "The quokka is a small wallaby native to Rottnest Island.", 0.2)], lexical: [] };
    const ranked = rankCandidates(single, { topK: 5, candidateK: 5, minScore: 0.3, question: "Where does the quokka live?" });
    expect(ranked.hits.map((hit) => hit.candidate.id)).toEqual(["quokka"]);
  });

  it("blends in the clamped dense cosine and does not depend on the other candidates' scores", () => {
    const only = rankCandidates({ dense: [lists.dense[0]!], lexical: [] }, { topK: 5, candidateK: 5, minScore: 0, question: "Tesla" });
    expect(only.hits[0]!.scores.relevance).toBeCloseTo(1 - RELEVANCE_DENSE_SHARE + RELEVANCE_DENSE_SHARE * 0.3, 12);
    const negative = rankCandidates({ dense: [chunk("x", "nothing", -0.5)], lexical: [] }, { topK: 5, candidateK: 5, minScore: -1, question: "Tesla" });
    expect(negative.hits[0]!.scores.relevance).toBe(0);
  });
});
