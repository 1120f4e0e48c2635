import { describe, expect, it } from "vitest";
import { CRASHING_PARSER_MARKER_VARIABLE, withCrashingParserStandIn } from "../../src/compose/crashing-parser-stand-in.js";
import { createParserRegistry } from "../../src/adapters/parser/parser-registry.js";

const text = (value: string) => new TextEncoder().encode(value);

describe("withCrashingParserStandIn (test-only hook)", () => {
  it("is the real parser, untouched, unless its variable is set", () => {
    const parse = createParserRegistry();
    expect(withCrashingParserStandIn(parse, {})).toBe(parse);
    expect(withCrashingParserStandIn(parse, { [CRASHING_PARSER_MARKER_VARIABLE]: "" })).toBe(parse);
  });

  it("with the variable set, parses documents without the marker as usual", async () => {
    const parse = withCrashingParserStandIn(createParserRegistry(), { [CRASHING_PARSER_MARKER_VARIABLE]: "BOOM-MARKER" });
    expect(await parse(text("An ordinary note about herons."), "text/plain")).toMatchObject({ text: "An ordinary note about herons." });
  });
});
