import { UnprocessableDocumentError } from "../../core/errors.js";
import { splitIntoChunks, type ChunkingSettings, type TextChunk } from "../../core/text/split-into-chunks.js";
import type { TokenCounter } from "../../core/text/token-counter.js";
import type { DocumentRecord } from "../../ports/document-repository.js";
import type { ParseDocument, SupportedMediaType } from "../../ports/parser.js";

export interface DocumentChunksDeps {
  /** Parser registry: bytes of a sniffed media type → text, title, pages, headings. */
  parse: ParseDocument;
  tokens: TokenCounter;
  chunking: () => ChunkingSettings;
}

/** A document's chunks and the title its format gives it (HTML `<title>`, first H1, PDF Title), if any. */
export interface DocumentChunks {
  chunks: TextChunk[];
  parsedTitle: string | null;
}

/**
 * Bytes of one uploaded document → its chunks: the one place ingest calls the parser. Throws
 * UnprocessableDocumentError when the document has no text to index (and whatever the parser throws).
 */
export async function documentChunks(deps: DocumentChunksDeps, record: DocumentRecord, bytes: Uint8Array): Promise<DocumentChunks> {
  const parsed = await deps.parse(bytes, record.mediaType as SupportedMediaType);
  const chunks = await splitIntoChunks(parsed, deps.chunking(), deps.tokens);
  if (chunks.length === 0) throw new UnprocessableDocumentError("document has no text to index");
  return { chunks, parsedTitle: parsed.title || null };
}
