import { createTokenCounter } from "../../../core/text/token-counter.js";
import type { DocumentChunker } from "../../../ports/document-chunker.js";
import type { ParseDocument } from "../../../ports/parser.js";
import { createParserRegistry } from "../../parser/parser-registry.js";
import { parseAndChunk } from "../parse-and-chunk.js";

/**
 * Parses and chunks on the calling thread, with the extracted-characters cap but no time or heap limit:
 * for tests and tools that chunk small documents. The service uses the thread-pool chunker.
 */
export function createInProcessDocumentChunker(options: { parse?: ParseDocument; maxExtractedChars?: number } = {}): DocumentChunker {
  const deps = {
    parse: options.parse ?? createParserRegistry(),
    tokens: createTokenCounter(),
    maxExtractedChars: options.maxExtractedChars ?? Number.POSITIVE_INFINITY,
  };
  return { chunk: (request) => parseAndChunk(deps, request), close: async () => undefined };
}
