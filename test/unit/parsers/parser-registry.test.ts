import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { UnsupportedMediaTypeError } from "../../../src/core/errors.js";
import type { Parser, SupportedMediaType } from "../../../src/ports/parser.js";
import { PARSERS, createParserRegistry } from "../../../src/adapters/parser/parser-registry.js";
import { sniffMediaType } from "../../../src/core/text/sniff-media-type.js";

describe("parser registry", () => {
  const parse = createParserRegistry();

  it.each<[string, SupportedMediaType, string]>([
    ["sample.pdf", "application/pdf", "Zorblax reactor"],
    ["sample.html", "text/html", "Kestrel Hollow"],
    ["sample.md", "text/markdown", "Longyearbyen apiary"],
  ])("sniffs and parses %s end to end", async (name, mediaType, phrase) => {
    const bytes = await readFile(new URL(`../../fixtures/${name}`, import.meta.url));
    const sniffed = await sniffMediaType(bytes, name);
    expect(sniffed).toBe(mediaType);
    const document = await parse(bytes, sniffed);
    expect(document.mediaType).toBe(mediaType);
    expect(document.text).toContain(phrase);
    expect(document.title).not.toBeNull();
  });

  it("dispatches plain text to the plain-text parser", async () => {
    const document = await parse(new TextEncoder().encode("# kept literally\r\n"), "text/plain");
    expect(document).toMatchObject({ mediaType: "text/plain", text: "# kept literally\n", headings: [] });
  });

  it("refuses a stored media type no parser handles with 415", async () => {
    await expect(parse(new TextEncoder().encode("a,b"), "text/csv" as SupportedMediaType)).rejects.toBeInstanceOf(UnsupportedMediaTypeError);
  });

  it("uses a parser from its registry row, and refuses two parsers for one type or a sniffable type without one", async () => {
    const shouting: Parser = {
      mediaTypes: ["text/plain"],
      parse: async (bytes) => ({ mediaType: "text/plain", text: new TextDecoder().decode(bytes).toUpperCase(), title: null, pages: [], headings: [] }),
    };
    const others = PARSERS.filter((parser) => !parser.mediaTypes.includes("text/plain"));
    expect((await createParserRegistry([...others, shouting])(new TextEncoder().encode("quiet"), "text/plain")).text).toBe("QUIET");
    expect(() => createParserRegistry([...PARSERS, shouting])).toThrow(/two parsers are registered for text\/plain/);
    expect(() => createParserRegistry(others)).toThrow(/no parser is registered for text\/plain/);
  });
});
