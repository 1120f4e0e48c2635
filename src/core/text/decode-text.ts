import { UnprocessableDocumentError } from "../errors.js";

/** Which text encoding a byte sequence announces with its byte-order mark (UTF-8 when there is none). */
function detectTextEncoding(bytes: Uint8Array): "utf-8" | "utf-16le" | "utf-16be" {
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
function normalizeLineEndings(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}
