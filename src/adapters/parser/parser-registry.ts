import { UnsupportedMediaTypeError } from "../../core/errors.js";
import { SUPPORTED_MEDIA_TYPES, type SupportedMediaType } from "../../core/text/parsed-document.js";
import type { ParseDocument, Parser } from "../../ports/parser.js";
import { htmlParser } from "./html-parser.js";
import { markdownParser } from "./markdown-parser.js";
import { pdfParser } from "./pdf-parser.js";
import { plainTextParser } from "./plain-text-parser.js";

/** Every parser Ragline ships: adding a format is one parser file and one row here. */
export const PARSERS: readonly Parser[] = [plainTextParser, markdownParser, htmlParser, pdfParser];

/**
 * Builds the parse function from parsers, one per media type. Throws at start-up when two parsers
 * claim one media type or a media type the sniffer accepts has none, so an upload that passed
 * sniffing always finds its parser.
 */
export function createParserRegistry(parsers: readonly Parser[] = PARSERS): ParseDocument {
  const byMediaType = new Map<SupportedMediaType, Parser>();
  for (const parser of parsers) {
    for (const mediaType of parser.mediaTypes) {
      if (byMediaType.has(mediaType)) throw new Error(`two parsers are registered for ${mediaType}`);
      byMediaType.set(mediaType, parser);
    }
  }
  const missing = SUPPORTED_MEDIA_TYPES.filter((mediaType) => !byMediaType.has(mediaType));
  if (missing.length > 0) throw new Error(`no parser is registered for ${missing.join(", ")}`);
  return async (bytes, mediaType, limits) => {
    const parser = byMediaType.get(mediaType);
    if (!parser) throw new UnsupportedMediaTypeError(`unsupported media type: ${mediaType}`, { details: { detected: mediaType } });
    return parser.parse(bytes, limits);
  };
}
