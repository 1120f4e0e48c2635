import { UnprocessableDocumentError } from "../../core/errors.js";
import { decodeText } from "../../core/text/decode-text.js";
import type { ParsedDocument, Parser } from "../../ports/parser.js";

/** Throws the shared 422 when a parser produced nothing but whitespace. */
export function assertNotBlank(text: string): void {
  if (text.trim() === "") throw new UnprocessableDocumentError("empty after parsing");
}

/**
 * Parses a plain-text upload: decoded text with `\n` line endings, no title, headings or pages.
 * Throws UnprocessableDocumentError for undecodable bytes or whitespace-only content.
 */
export function parsePlainText(bytes: Uint8Array): ParsedDocument {
  const text = decodeText(bytes);
  assertNotBlank(text);
  return { mediaType: "text/plain", text, title: null, pages: [], headings: [] };
}

export const plainTextParser: Parser = { mediaTypes: ["text/plain"], parse: async (bytes) => parsePlainText(bytes) };
