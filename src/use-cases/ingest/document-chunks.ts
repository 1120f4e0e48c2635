import type { ChunkingSettings } from "../../core/text/split-into-chunks.js";
import type { DocumentRecord } from "../../ports/document-repository.js";
import type { DocumentChunker, DocumentChunks } from "../../ports/document-chunker.js";
import type { SupportedMediaType } from "../../ports/parser.js";

export type { DocumentChunks } from "../../ports/document-chunker.js";

export interface DocumentChunksDeps {
  /** Parses and chunks one document (in production on a thread pool, with time, heap and size limits). */
  chunker: DocumentChunker;
  chunking: () => ChunkingSettings;
}

/**
 * Bytes of one uploaded document → its chunks: the one place ingest parses. Throws
 * UnprocessableDocumentError when the document has no text to index or is over a parse limit (see
 * the DocumentChunker port), and whatever else the chunker rejects with.
 */
export async function documentChunks(deps: DocumentChunksDeps, record: DocumentRecord, bytes: Uint8Array): Promise<DocumentChunks> {
  return deps.chunker.chunk({ bytes, mediaType: record.mediaType as SupportedMediaType, chunking: deps.chunking() });
}
