import { createRequire } from "node:module";
import path from "node:path";
import { UnprocessableDocumentError } from "../../core/errors.js";
import type { PageSpan, ParsedDocument, ParseLimits, Parser } from "../../ports/parser.js";

const PAGE_SEPARATOR = "\n\n";

/** The part of a pdfjs text item this parser reads (marked-content items have no `str`). */
interface PositionedText {
  str: string;
  transform: number[];
  width: number;
  height: number;
  hasEOL: boolean;
}

function pdfjsAssetDirectory(name: string): string {
  const packageJson = createRequire(import.meta.url).resolve("pdfjs-dist/package.json");
  // pdfjs reads these with fs in Node and insists on a trailing separator.
  return path.join(path.dirname(packageJson), name) + path.sep;
}

function isPositionedText(item: unknown): item is PositionedText {
  return typeof item === "object" && item !== null && "str" in item && "transform" in item;
}

/**
 * Joins one page's text items into lines: a new line on `hasEOL` or when the baseline moves by
 * more than half the font height, a space where items are separated by a horizontal gap.
 */
function joinPageText(items: readonly unknown[]): string {
  let text = "";
  let previous: PositionedText | null = null;
  let lineEnded = false;
  for (const item of items) {
    if (!isPositionedText(item)) continue;
    const [, , , , x = 0, y = 0] = item.transform;
    if (previous !== null && !lineEnded && item.str !== "") {
      const [, , , , previousX = 0, previousY = 0] = previous.transform;
      const fontHeight = Math.max(item.height, previous.height, 1);
      if (Math.abs(y - previousY) > fontHeight / 2) text += "\n";
      else if (x - (previousX + previous.width) > fontHeight * 0.15 && !/\s$/.test(text) && !/^\s/.test(item.str)) {
        text += " ";
      }
    }
    if (item.str !== "") {
      text += item.str;
      lineEnded = false;
      previous = item;
    }
    if (item.hasEOL && !lineEnded) {
      text += "\n";
      lineEnded = true;
    }
  }
  return text
    .split("\n")
    .map((line) => line.replace(/[ \t\u00a0]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function describeFailure(error: unknown): UnprocessableDocumentError {
  const name = error instanceof Error ? error.name : "";
  const reason = error instanceof Error ? error.message : String(error);
  if (name === "PasswordException") {
    return new UnprocessableDocumentError("encrypted PDF: a password is required to open it", { cause: error });
  }
  if (name === "InvalidPDFException") {
    return new UnprocessableDocumentError(`invalid PDF: ${reason}`, { cause: error });
  }
  return new UnprocessableDocumentError(`corrupt PDF: ${reason}`, { cause: error });
}

/**
 * Extracts the text of a PDF with pdfjs (legacy Node build, main-thread "fake" worker, no eval,
 * no font loading). Pages are joined with a blank line and each page gets a PageSpan whose
 * start/end slice exactly that page's text (an empty page gets an empty span); the title comes
 * from the document info. The input is copied, never detached. Throws UnprocessableDocumentError
 * for encrypted, invalid or corrupt files and for PDFs without extractable text (scans).
 */
export async function parsePdf(bytes: Uint8Array, limits: ParseLimits = {}): Promise<ParsedDocument> {
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  let loadingTask: ReturnType<typeof pdfjs.getDocument> | null = null;
  try {
    loadingTask = pdfjs.getDocument({
      // A fresh Uint8Array: pdfjs rejects Buffers and transfers (detaches) the data it is given.
      data: new Uint8Array(bytes),
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      useWorkerFetch: false,
      isOffscreenCanvasSupported: false,
      isImageDecoderSupported: false,
      stopAtErrors: false,
      verbosity: pdfjs.VerbosityLevel.ERRORS,
      cMapUrl: pdfjsAssetDirectory("cmaps"),
      cMapPacked: true,
      standardFontDataUrl: pdfjsAssetDirectory("standard_fonts"),
    });
    const document = await loadingTask.promise;
    if (limits.maxPages !== undefined && document.numPages > limits.maxPages) {
      throw new UnprocessableDocumentError(`the PDF has ${document.numPages} pages, over the limit of ${limits.maxPages} (ingest.maxPages)`, {
        details: { pages: document.numPages, maxPages: limits.maxPages },
      });
    }
    const pages: PageSpan[] = [];
    let text = "";
    for (let pageNumber = 1; pageNumber <= document.numPages; pageNumber += 1) {
      const page = await document.getPage(pageNumber);
      const content = await page.getTextContent();
      page.cleanup();
      const pageText = joinPageText(content.items);
      if (pageText !== "" && text !== "") text += PAGE_SEPARATOR;
      const start = text.length;
      text += pageText;
      pages.push({ page: pageNumber, start, end: text.length });
    }
    if (text.trim() === "") {
      throw new UnprocessableDocumentError("no extractable text: the PDF may be scanned images (OCR is not supported)");
    }
    const metadata = await document.getMetadata().catch(() => null);
    const info = metadata?.info as { Title?: unknown } | undefined;
    const title = typeof info?.Title === "string" && info.Title.trim() !== "" ? info.Title.trim() : null;
    return { mediaType: "application/pdf", text, title, pages, headings: [] };
  } catch (error) {
    if (error instanceof UnprocessableDocumentError) throw error;
    throw describeFailure(error);
  } finally {
    // Destroying the task also destroys the document and its fake worker; a failure here must not mask the result.
    await loadingTask?.destroy().catch(() => undefined);
  }
}

export const pdfParser: Parser = { mediaTypes: ["application/pdf"], parse: parsePdf };
