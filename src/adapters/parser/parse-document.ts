import type { ParsedDocument, SupportedMediaType } from "../../ports/parser.js";
import { parseHtml } from "./html-parser.js";
import { parseMarkdown } from "./markdown-parser.js";
import { parsePdf } from "./pdf-parser.js";
import { parsePlainText } from "./plain-text-parser.js";

/**
 * Extracts text, title, page spans and headings from uploaded bytes of an already sniffed media
 * type (see sniffMediaType). Never trusts file names. Throws UnprocessableDocumentError (422) for
 * bytes that cannot be decoded, corrupt or encrypted PDFs, and documents with no text left.
 */
export async function parseDocument(bytes: Uint8Array, mediaType: SupportedMediaType): Promise<ParsedDocument> {
  switch (mediaType) {
    case "text/plain":
      return parsePlainText(bytes);
    case "text/markdown":
      return parseMarkdown(bytes);
    case "text/html":
      return parseHtml(bytes);
    case "application/pdf":
      return parsePdf(bytes);
  }
}
