import type { SupportedMediaType } from "../core/text/parsed-document.js";
import type { ChunkingSettings, TextChunk } from "../core/text/split-into-chunks.js";

/** One document to parse and chunk: its bytes, their sniffed media type and the chunking settings in force. */
export interface ChunkDocumentRequest {
  bytes: Uint8Array;
  mediaType: SupportedMediaType;
  chunking: ChunkingSettings;
}

/** A document's chunks and the title its format gives it (HTML `<title>`, first H1, PDF Title), if any. */
export interface DocumentChunks {
  chunks: TextChunk[];
  parsedTitle: string | null;
}

/**
 * Port for turning one uploaded document into chunks: parse (by media type) then split, token counting
 * included. Contract: resolves with at least one chunk; a document that cannot be indexed — undecodable,
 * corrupt, text-less, over the extracted-characters cap, over the parse time or heap limit, or one whose
 * parse crashed — rejects with UnprocessableDocumentError (permanent: running it again gives the same
 * result) naming the reason; a media type without a parser rejects with UnsupportedMediaTypeError. A
 * document never takes the caller down with it: implementations that run parsing elsewhere (threads)
 * keep serving the next document. `close` releases threads; calls after it reject.
 */
export interface DocumentChunker {
  chunk(request: ChunkDocumentRequest): Promise<DocumentChunks>;
  close(): Promise<void>;
}
