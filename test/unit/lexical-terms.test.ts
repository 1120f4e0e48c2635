import { describe, expect, it } from "vitest";
import { tokenizeTerms } from "../../src/core/text/text-tokens.js";
import { chunkIndexTerms } from "../../src/adapters/vector-store/lexical-terms.js";

describe("chunkIndexTerms", () => {
  it("gives core's retrieval terms of title and text, the same on first sight of a word and when it comes again", () => {
    const title = "Running Rivers";
    const texts = [
      "The rivers were running faster than the runners; it's the river's studies that don't stop.",
      "Rivers run, the runner ran: studies of running rivers (2024) and 東京 stations.",
    ];
    for (const text of [...texts, ...texts]) {
      expect(chunkIndexTerms({ text, metadata: { title } })).toEqual(tokenizeTerms(`${title}\n${text}`));
    }
    expect(chunkIndexTerms({ text: "the and of", metadata: { title: "" } })).toEqual([]);
  });
});
