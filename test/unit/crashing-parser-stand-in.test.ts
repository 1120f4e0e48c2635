import { describe, expect, it } from "vitest";
import { CRASHING_PARSER_MARKER_VARIABLE, withCrashingParserStandIn } from "../../src/compose/crashing-parser-stand-in.js";
import { createInProcessDocumentChunker } from "../../src/adapters/document-chunker/in-process/in-process-document-chunker.js";

const text = (value: string) => new TextEncoder().encode(value);
const chunking = { size: 64, overlap: 8 };

describe("withCrashingParserStandIn (test-only hook)", () => {
  it("is the real chunker, untouched, unless its variable is set", () => {
    const chunker = createInProcessDocumentChunker();
    expect(withCrashingParserStandIn(chunker, {})).toBe(chunker);
    expect(withCrashingParserStandIn(chunker, { [CRASHING_PARSER_MARKER_VARIABLE]: "" })).toBe(chunker);
  });

  it("with the variable set, chunks documents without the marker as usual", async () => {
    const chunker = withCrashingParserStandIn(createInProcessDocumentChunker(), { [CRASHING_PARSER_MARKER_VARIABLE]: "BOOM-MARKER" });
    const result = await chunker.chunk({ bytes: text("An ordinary note about herons."), mediaType: "text/plain", chunking });
    expect(result.chunks.map((chunk) => chunk.text)).toEqual(["An ordinary note about herons."]);
  });
});
