import { describe, expect, it } from "vitest";
import { LEXICAL_TERMS_VERSION, chunkIndexTerms } from "../../src/adapters/vector-store/lexical-terms.js";

// Stores record LEXICAL_TERMS_VERSION with their lexical index and rebuild an index built by another
// version (Qdrant's sparse vectors at ensureCollection). If this test fails because the terms changed,
// the analysis changed: bump LEXICAL_TERMS_VERSION and then update both pins below, or stores keep
// matching questions against terms an older analysis produced.
const PINNED_VERSION = "porter2-title-1";
const SAMPLE = {
  metadata: { title: "Running Notes" },
  text: "The Naïve runners were running quickly through Zürich’s museums; don't stop—GPU-accelerated caches!",
};
const PINNED_TERMS = ["run", "note", "naiv", "runner", "run", "quick", "zurich", "museum", "stop", "gpu", "acceler", "cach"];

describe("the lexical analysis stores index is versioned", () => {
  it("produces the pinned terms for the pinned version (title first, stems, folding, stop words)", () => {
    expect(LEXICAL_TERMS_VERSION).toBe(PINNED_VERSION);
    expect(chunkIndexTerms(SAMPLE)).toEqual(PINNED_TERMS);
  });
});
