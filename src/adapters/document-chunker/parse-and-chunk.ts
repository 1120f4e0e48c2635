import { UnprocessableDocumentError } from "../../core/errors.js";
import { splitIntoChunks } from "../../core/text/split-into-chunks.js";
import type { TokenCounter } from "../../core/text/token-counter.js";
import type { ChunkDocumentRequest, DocumentChunks } from "../../ports/document-chunker.js";
import type { ParseDocument } from "../../ports/parser.js";

export interface ParseAndChunkDeps {
  /** Parser registry: bytes of a sniffed media type → text, title, pages, headings. */
  parse: ParseDocument;
  tokens: TokenCounter;
  /** Most characters a parser may extract from one document; more fails it before chunking. */
  maxExtractedChars: number;
  /** Most pages of a PDF read; more fails it before its pages are (config ingest.maxPages). */
  maxPages?: number;
}

/**
 * The work both chunker adapters do for one document: parse, refuse text over the extracted-characters
 * cap (a heap limit does not bound what an upload expands to in buffers), split into chunks. Throws
 * UnprocessableDocumentError for a document over the cap or without text to index, and whatever the parser throws.
 */
export async function parseAndChunk(deps: ParseAndChunkDeps, request: ChunkDocumentRequest): Promise<DocumentChunks> {
  const parsed = await deps.parse(request.bytes, request.mediaType, { maxPages: deps.maxPages });
  if (parsed.text.length > deps.maxExtractedChars) {
    throw new UnprocessableDocumentError(
      `the document's extracted text has ${parsed.text.length} characters, over the limit of ${deps.maxExtractedChars} (ingest.maxExtractedChars)`,
      { details: { extractedChars: parsed.text.length, maxExtractedChars: deps.maxExtractedChars } },
    );
  }
  const chunks = await splitIntoChunks(parsed, request.chunking, deps.tokens);
  if (chunks.length === 0) throw new UnprocessableDocumentError("document has no text to index");
  return { chunks, parsedTitle: parsed.title || null };
}
