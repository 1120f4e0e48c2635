import { describe, expect, it } from "vitest";
import { decideExpansion, SHORT_QUERY_MAX_TERMS } from "../../src/core/ranking/expansion-gate.js";
import { lexicalQueryTerms } from "../../src/core/ranking/lexical-query.js";

describe("decideExpansion", () => {
  it("gated: expands a query of at most SHORT_QUERY_MAX_TERMS content terms, not a longer one", () => {
    expect(SHORT_QUERY_MAX_TERMS).toBe(3);
    // Stop words do not count: three content terms.
    expect(decideExpansion("gated", lexicalQueryTerms("What does vitamin D do for the bones?"), 10)).toEqual({ expand: true, reason: "short_query" });
    // Repeated and inflected forms are one term each: "bone", "bones" → bone.
    expect(decideExpansion("gated", lexicalQueryTerms("bone bones vitamin calcium"), 10)).toEqual({ expand: true, reason: "short_query" });
    expect(decideExpansion("gated", lexicalQueryTerms("In what year did Nikola Tesla patent the radio?"), 10)).toEqual({ expand: false, reason: "long_query" });
    // Terms of weight 0 carry nothing and do not count.
    const weighted = [...lexicalQueryTerms("vitamin bones"), { term: "radio", weight: 0 }, { term: "patent", weight: 0 }];
    expect(decideExpansion("gated", weighted, 10).expand).toBe(true);
  });

  it("off never expands; always expands any query with terms and feedback; neither without them", () => {
    expect(decideExpansion("off", lexicalQueryTerms("vitamin"), 10)).toEqual({ expand: false, reason: "off" });
    expect(decideExpansion("always", lexicalQueryTerms("In what year did Nikola Tesla patent the radio?"), 10)).toEqual({ expand: true, reason: "always" });
    expect(decideExpansion("always", lexicalQueryTerms("what is it?"), 10)).toEqual({ expand: false, reason: "no_query_terms" });
    expect(decideExpansion("gated", lexicalQueryTerms("vitamin"), 0)).toEqual({ expand: false, reason: "no_feedback" });
  });
});
