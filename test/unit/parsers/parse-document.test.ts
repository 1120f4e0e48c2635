import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import type { SupportedMediaType } from "../../../src/ports/parser.js";
import { parseDocument } from "../../../src/adapters/parser/parse-document.js";
import { sniffMediaType } from "../../../src/core/text/sniff-media-type.js";

describe("parseDocument", () => {
  it.each<[string, SupportedMediaType, string]>([
    ["sample.pdf", "application/pdf", "Zorblax reactor"],
    ["sample.html", "text/html", "Kestrel Hollow"],
    ["sample.md", "text/markdown", "Longyearbyen apiary"],
  ])("sniffs and parses %s end to end", async (name, mediaType, phrase) => {
    const bytes = await readFile(new URL(`../../fixtures/${name}`, import.meta.url));
    const sniffed = await sniffMediaType(bytes, name);
    expect(sniffed).toBe(mediaType);
    const document = await parseDocument(bytes, sniffed);
    expect(document.mediaType).toBe(mediaType);
    expect(document.text).toContain(phrase);
    expect(document.title).not.toBeNull();
  });

  it("dispatches plain text to the plain-text parser", async () => {
    const document = await parseDocument(new TextEncoder().encode("# kept literally\r\n"), "text/plain");
    expect(document).toMatchObject({ mediaType: "text/plain", text: "# kept literally\n", headings: [] });
  });
});
