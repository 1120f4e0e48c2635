import { fileTypeFromBuffer } from "file-type";
import { UnprocessableDocumentError, UnsupportedMediaTypeError } from "../errors.js";
import type { SupportedMediaType } from "./parsed-document.js";
import { decodeText } from "./decode-text.js";

const HTML_SNIFF_LENGTH = 4096;
const MARKDOWN_SNIFF_LENGTH = 32_768;
const MARKDOWN_FILE_NAME = /\.(?:md|markdown|mdown|mkd|mkdn)$/i;
// Formats file-type recognises by a textual signature: their bytes are text, but not text we can ingest.
const TEXTUAL_FORMATS = new Set([
  "application/xml",
  "application/rtf",
  "application/postscript",
  "application/eps",
  "text/calendar",
  "text/vcard",
  "text/vtt",
  "application/x-ms-regedit",
]);
const DOCUMENT_START = /^<(?:!doctype\s+html[\s>]|html[\s>]|head[\s>]|body[\s>])/i;
const KNOWN_HTML_TAG =
  /<\/?(?:p|div|span|a|h[1-6]|ul|ol|li|table|tr|td|th|section|article|header|footer|nav|main|meta|title|link|script|style|br|img|strong|em|b|i|pre|code|blockquote|form)\b[^>]*>/gi;

interface MarkdownSignal {
  pattern: RegExp;
  weight: number;
}

// Setext patterns check the line with a lookahead: `[^\n]*\S[^\n]*` backtracks quadratically on long lines.
// One strong signal (syntax prose almost never has) or three different weak ones (lists, emphasis…) make Markdown.
const MARKDOWN_SIGNALS: MarkdownSignal[] = [
  { pattern: /^ {0,3}#{1,6}[ \t]+\S/m, weight: 3 },
  { pattern: /^ {0,3}(?:```|~~~)[^\n]*\n[\s\S]*?^ {0,3}(?:```|~~~)/m, weight: 3 },
  { pattern: /\[[^\]\n]+\]\([^)\s]+(?:\s+"[^"\n]*")?\)/, weight: 3 },
  { pattern: /^(?=[^\n]*\S)[^\n]*\n {0,3}={3,}[ \t]*$/m, weight: 3 },
  { pattern: /^ {0,3}\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+/m, weight: 3 },
  { pattern: /^(?=[^\n]*[A-Za-z])[^\n]*\n {0,3}-{3,}[ \t]*$/m, weight: 1 },
  { pattern: /^ {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+\S/m, weight: 1 },
  { pattern: /(?:\*\*|__)[^\s*_][^\n]*?(?:\*\*|__)|`[^`\n]+`/, weight: 1 },
  { pattern: /^ {0,3}>[ \t]?\S/m, weight: 1 },
];

/** Decodes bytes as UTF-8/UTF-16 text, or returns null when they are not clean text (invalid, NULs, many controls). */
function decodeCleanText(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = decodeText(bytes);
  } catch {
    return null;
  }
  if (text.includes("\u0000")) return null;
  const controlCount = text.match(/[\u0001-\u0008\u000e-\u001f\u007f-\u009f]/g)?.length ?? 0;
  return controlCount > Math.max(1, Math.floor(text.length / 100)) ? null : text;
}

/** Removes leading whitespace, comments and an XML declaration so the first real tag can be seen. */
function skipPreamble(text: string): string {
  let rest = text;
  for (;;) {
    rest = rest.trimStart();
    const end = rest.startsWith("<!--") ? rest.indexOf("-->") + 3 : rest.startsWith("<?xml") ? rest.indexOf("?>") + 2 : 0;
    if (end <= 2) return rest;
    rest = rest.slice(end);
  }
}

function looksLikeHtml(text: string): boolean {
  const start = skipPreamble(text.slice(0, HTML_SNIFF_LENGTH));
  if (DOCUMENT_START.test(start)) return true;
  if (!start.startsWith("<")) return false;
  // A fragment counts as HTML only with several real tags and no Markdown block syntax around them.
  const tags = start.match(KNOWN_HTML_TAG) ?? [];
  const closingTags = tags.filter((tag) => tag.startsWith("</")).length;
  const markdownBlocks = /^ {0,3}(?:#{1,6}[ \t]|```|~~~)/m.test(start);
  return tags.length >= 4 && closingTags >= 2 && !markdownBlocks;
}

function markdownScore(text: string): number {
  const sample = text.slice(0, MARKDOWN_SNIFF_LENGTH);
  return MARKDOWN_SIGNALS.reduce((score, signal) => score + (signal.pattern.test(sample) ? signal.weight : 0), 0);
}

function classifyText(text: string, fileName: string | undefined): SupportedMediaType {
  if (looksLikeHtml(text)) return "text/html";
  const score = markdownScore(text);
  if (score >= 3) return "text/markdown";
  // Only when the content does not decide may the name tip plain text over to Markdown.
  return fileName !== undefined && MARKDOWN_FILE_NAME.test(fileName) ? "text/markdown" : "text/plain";
}

/**
 * Decides what an upload is from its bytes, never from its name: PDF by signature (file-type);
 * any other binary format is refused; otherwise the bytes must be clean UTF-8 (BOM allowed) or
 * BOM-marked UTF-16 text, classified as HTML, Markdown or plain text by content. `fileName` only
 * breaks a tie between plain text and Markdown (`.md`, `.markdown`).
 * Throws UnprocessableDocumentError("empty document") for empty or whitespace-only input and
 * UnsupportedMediaTypeError (415) for binary content or a recognised but unsupported format.
 */
export async function sniffMediaType(bytes: Uint8Array, fileName?: string): Promise<SupportedMediaType> {
  if (bytes.length === 0) throw new UnprocessableDocumentError("empty document");
  const detected = await fileTypeFromBuffer(bytes);
  if (detected?.mime === "application/pdf") return "application/pdf";
  const text = decodeCleanText(bytes);
  if (detected) {
    if (detected.mime === "application/xml" && text !== null && looksLikeHtml(text)) return "text/html";
    // Two-byte signatures such as "MZ" or "BM" also start ordinary sentences; clean text wins over them.
    if (TEXTUAL_FORMATS.has(detected.mime) || text === null) {
      throw new UnsupportedMediaTypeError(
        `unsupported media type: detected ${detected.mime} (.${detected.ext}); supported are PDF, HTML, Markdown and plain text`,
        { details: { detected: detected.mime, extension: detected.ext } },
      );
    }
  }
  if (text === null) {
    throw new UnsupportedMediaTypeError("binary content: not a supported document (expected PDF, or UTF-8 / UTF-16 text)", { details: { detected: null } });
  }
  if (text.trim() === "") throw new UnprocessableDocumentError("empty document");
  // file-type does not recognise SVG, which is text but an image, not a document.
  if (/^<(?:svg[\s>]|!doctype\s+svg[\s>])/i.test(skipPreamble(text.slice(0, HTML_SNIFF_LENGTH)))) {
    throw new UnsupportedMediaTypeError("unsupported media type: detected image/svg+xml", {
      details: { detected: "image/svg+xml", extension: "svg" },
    });
  }
  return classifyText(text, fileName);
}
