import type { DocumentChunker } from "../ports/document-chunker.js";

/**
 * Test-only hook: set to a marker text, documents containing it kill the process while being parsed
 * (SIGKILL, as a native parser crash or the out-of-memory killer would). It stands in for a parser
 * that takes the process down, for the end-to-end test of crash quarantine. Parsing runs on threads,
 * whose JavaScript failures (heap, time, exceptions) only fail the document; a native fault in a
 * thread still ends the whole process, which is what this stands in for. Unset (the default),
 * nothing changes.
 */
export const CRASHING_PARSER_MARKER_VARIABLE = "TEST_ONLY_CRASHING_PARSER_MARKER";

/** `chunker`, or when the test-only variable is set, `chunker` with the crashing stand-in in front of it. */
export function withCrashingParserStandIn(chunker: DocumentChunker, environment: NodeJS.ProcessEnv = process.env): DocumentChunker {
  const marker = environment[CRASHING_PARSER_MARKER_VARIABLE];
  if (!marker) return chunker;
  const markerBytes = Buffer.from(marker, "utf8");
  return {
    async chunk(request) {
      const { bytes } = request;
      if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(markerBytes)) process.kill(process.pid, "SIGKILL");
      return chunker.chunk(request);
    },
    close: () => chunker.close(),
  };
}
