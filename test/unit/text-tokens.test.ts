import { describe, expect, it } from "vitest";
import { isStopword, normalizeText, stemWord, tokenizeTerms, tokenizeWords } from "../../src/core/text/text-tokens.js";

describe("tokenizeWords", () => {
  it("lowercases and splits on anything that is not a letter or digit", () => {
    expect(tokenizeWords("Hello, World! It's 2024 -- x-ray.")).toEqual(["hello", "world", "it", "2024", "x", "ray"]);
  });

  it("applies NFKC and folds diacritics and special Latin letters", () => {
    expect(tokenizeWords("Café NAÏVE ﬁle Straße Ørsted Zürich")).toEqual(["cafe", "naive", "file", "strasse", "orsted", "zurich"]);
    expect(normalizeText("ＡＢＣ１２３")).toBe("abc123");
  });

  it("drops possessive 's and joins contractions", () => {
    expect(tokenizeWords("John's car doesn't start")).toEqual(["john", "car", "doesnt", "start"]);
  });

  it("keeps letters of non-Latin scripts and splits unspaced scripts into characters", () => {
    expect(tokenizeWords("Привет мир")).toEqual(["привет", "мир"]);
    expect(tokenizeWords("東京 tower")).toEqual(["東", "京", "tower"]);
  });

  it("returns nothing for empty or punctuation-only text", () => {
    expect(tokenizeWords("")).toEqual([]);
    expect(tokenizeWords(" ...  --- !!! ")).toEqual([]);
  });
});

describe("isStopword", () => {
  it("recognises function and question words but not topic words", () => {
    for (const word of ["the", "of", "and", "what", "which", "is", "were"]) expect(isStopword(word)).toBe(true);
    for (const word of ["paris", "river", "photosynthesis", "1998"]) expect(isStopword(word)).toBe(false);
  });
});

describe("stemWord", () => {
  it.each([
    ["studies", "study"],
    ["making", "make"],
    ["boxes", "box"],
    ["stopped", "stop"],
    ["running", "run"],
    ["classes", "class"],
    ["tried", "trying"],
    ["quickly", "quick"],
    ["families", "family"],
    ["played", "plays"],
    ["cities", "city"],
  ])("maps %s and %s to the same stem", (left, right) => {
    expect(stemWord(left)).toBe(stemWord(right));
  });

  it("leaves words that only look inflected alone", () => {
    expect(stemWord("thing")).toBe("thing");
    expect(stemWord("string")).toBe("string");
    expect(stemWord("bus")).toBe("bus");
    expect(stemWord("analysis")).toBe("analysis");
    expect(stemWord("gas")).toBe("gas");
    expect(stemWord("1990s")).toBe("1990s");
  });

  it("keeps distinct words distinct", () => {
    expect(stemWord("king")).not.toBe(stemWord("kind"));
    expect(stemWord("universe")).not.toBe(stemWord("university"));
  });
});

describe("tokenizeTerms", () => {
  it("removes stopwords and stems, keeping order and repetitions", () => {
    expect(tokenizeTerms("What are the studies of the students studying?")).toEqual(["studi", "student", "studi"]);
    expect(tokenizeTerms("rivers and rivers")).toEqual(["river", "river"]);
  });

  it("stems with Snowball English (Porter2), so derivations meet and digits stay", () => {
    expect(tokenizeTerms("government governance generously Normans")).toEqual(["govern", "govern", "generous", "norman"]);
    expect(tokenizeTerms("ipv6 addresses in 1990s")).toEqual(["ipv6", "address", "1990s"]);
  });

  it("is deterministic", () => {
    const text = "The Normans were the people who in the 10th and 11th centuries gave their name to Normandy.";
    expect(tokenizeTerms(text)).toEqual(tokenizeTerms(text));
  });
});
