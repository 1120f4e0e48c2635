import type { ParseDocument } from "../ports/parser.js";

/**
 * Test-only hook: set to a marker text, documents containing it kill the process while being parsed
 * (SIGKILL, as a native parser crash or the out-of-memory killer would). It stands in for a parser
 * that takes the process down, for the end-to-end test of crash quarantine. Unset (the default),
 * nothing changes.
 */
export const CRASHING_PARSER_MARKER_VARIABLE = "TEST_ONLY_CRASHING_PARSER_MARKER";

/** `parse`, or when the test-only variable is set, `parse` with the crashing stand-in in front of it. */
export function withCrashingParserStandIn(parse: ParseDocument, environment: NodeJS.ProcessEnv = process.env): ParseDocument {
  const marker = environment[CRASHING_PARSER_MARKER_VARIABLE];
  if (!marker) return parse;
  const markerBytes = Buffer.from(marker, "utf8");
  return async (bytes, mediaType) => {
    if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(markerBytes)) process.kill(process.pid, "SIGKILL");
    return parse(bytes, mediaType);
  };
}
