import { UnprocessableDocumentError } from "../../core/errors.js";
import type { ParsedDocument } from "../../ports/parser.js";

/** Which text encoding a byte sequence announces with its byte-order mark (UTF-8 when there is none). */
export function detectTextEncoding(bytes: Uint8Array): "utf-8" | "utf-16le" | "utf-16be" {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  return "utf-8";
}

/**
 * Decodes uploaded text bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM. The BOM is
 * removed and line endings are normalised to `\n`. Throws UnprocessableDocumentError when the
 * bytes are not valid in that encoding (nothing is silently replaced with U+FFFD).
 */
export function decodeText(bytes: Uint8Array): string {
  const encoding = detectTextEncoding(bytes);
  let decoded: string;
  try {
    decoded = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch (error) {
    throw new UnprocessableDocumentError(`document is not valid ${encoding.toUpperCase()} text`, { cause: error });
  }
  return normalizeLineEndings(decoded);
}

/** Turns CRLF and lone CR into LF so offsets mean the same thing on every platform. */
export function normalizeLineEndings(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

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
