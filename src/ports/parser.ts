import type { ParsedDocument, SupportedMediaType } from "../core/text/parsed-document.js";

export type { HeadingMark, PageSpan, ParsedDocument, SupportedMediaType } from "../core/text/parsed-document.js";

/**
 * Port for one document format. Contract: `parse(bytes)` is given bytes already sniffed as one of
 * `mediaTypes` (never trusted from a file name) and returns the visible text with `\n` line endings,
 * its title if the format has one, and page and heading offsets into that text; `mediaType` of the
 * result is the type parsed. Undecodable, corrupt, encrypted or text-less input throws
 * UnprocessableDocumentError (422); nothing is silently dropped or replaced.
 */
export interface Parser {
  readonly mediaTypes: readonly SupportedMediaType[];
  parse(bytes: Uint8Array, limits?: ParseLimits): Promise<ParsedDocument>;
}

/** Bounds a parser checks before doing the work (a document over one is UnprocessableDocumentError, naming the key). */
export interface ParseLimits {
  /** Most pages of a paged format (PDF) read: config ingest.maxPages. */
  maxPages?: number;
}

/**
 * Parses bytes of a sniffed media type with the parser registered for it (what the ingest use case
 * receives). Same errors as `Parser.parse`; a type without a parser is UnsupportedMediaTypeError.
 */
export type ParseDocument = (bytes: Uint8Array, mediaType: SupportedMediaType, limits?: ParseLimits) => Promise<ParsedDocument>;
