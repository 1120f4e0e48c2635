import { readFile } from "node:fs/promises";
import { PDFDocument, StandardFonts, rgb } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { UnprocessableDocumentError } from "../../../src/core/errors.js";
import { parsePdf } from "../../../src/adapters/parser/pdf-parser.js";

/** Builds a PDF in memory: one page per entry, each line drawn below the previous one. */
async function buildPdf(pages: string[][], title?: string): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  if (title !== undefined) document.setTitle(title);
  const font = await document.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = document.addPage([595, 842]);
    lines.forEach((line, index) => page.drawText(line, { x: 50, y: 780 - index * 18, size: 12, font }));
  }
  return document.save();
}

async function parseError(bytes: Uint8Array): Promise<unknown> {
  return parsePdf(bytes).then(
    () => new Error("expected a rejection"),
    (error: unknown) => error,
  );
}

describe("parsePdf", () => {
  it("extracts each page with exact page spans and the info title", async () => {
    const pages = [
      ["Alpha page opens here.", "It has a second line."],
      ["Beta page talks about the Quokka census of 2011."],
      ["Gamma page closes the document."],
    ];
    const document = await parsePdf(await buildPdf(pages, "Three Page Test"));
    expect(document.mediaType).toBe("application/pdf");
    expect(document.title).toBe("Three Page Test");
    expect(document.headings).toEqual([]);
    expect(document.pages.map((span) => span.page)).toEqual([1, 2, 3]);
    document.pages.forEach((span, index) => {
      expect(document.text.slice(span.start, span.end)).toBe(pages[index]?.join("\n"));
    });
    expect(document.text).toBe(pages.map((lines) => lines.join("\n")).join("\n\n"));
  });

  it("reads the sample fixture, including non-ASCII text", async () => {
    const document = await parsePdf(await readFile(new URL("../../fixtures/sample.pdf", import.meta.url)));
    expect(document.title).toBe("Ragline Sample Report");
    expect(document.pages).toHaveLength(3);
    const second = document.pages[1];
    expect(second && document.text.slice(second.start, second.end)).toContain("The Zorblax reactor was commissioned in 1987 in Tromsø.");
  });

  it("gives an empty page an empty span without breaking the others", async () => {
    const document = await parsePdf(await buildPdf([["First."], [], ["Third."]]));
    expect(document.title).toBeNull();
    expect(document.text).toBe("First.\n\nThird.");
    expect(document.pages).toEqual([
      { page: 1, start: 0, end: 6 },
      { page: 2, start: 6, end: 6 },
      { page: 3, start: 8, end: 14 },
    ]);
  });

  it("accepts a Buffer and leaves the caller's bytes intact", async () => {
    const buffer = Buffer.from(await buildPdf([["Buffer input works."]]));
    const copy = Buffer.from(buffer);
    expect((await parsePdf(buffer)).text).toBe("Buffer input works.");
    expect(buffer.equals(copy)).toBe(true);
  });

  it("parses several PDFs concurrently", async () => {
    const inputs = await Promise.all([1, 2, 3, 4].map((number) => buildPdf([[`Document number ${number}.`]])));
    const texts = (await Promise.all(inputs.map((bytes) => parsePdf(bytes)))).map((document) => document.text);
    expect(texts).toEqual(["Document number 1.", "Document number 2.", "Document number 3.", "Document number 4."]);
  });

  it("rejects an encrypted PDF with 422", async () => {
    const error = await parseError(await readFile(new URL("../../fixtures/encrypted.pdf", import.meta.url)));
    expect(error).toBeInstanceOf(UnprocessableDocumentError);
    expect((error as UnprocessableDocumentError).status).toBe(422);
    expect((error as Error).message).toMatch(/^encrypted PDF/);
  });

  it("rejects corrupt and truncated PDFs with 422 and a reason", async () => {
    const valid = await buildPdf([["Soon to be truncated."]]);
    const corrupt = [new TextEncoder().encode("%PDF-1.7\nthis is not a real pdf body\n%%EOF"), valid.slice(0, 400)];
    for (const bytes of corrupt) {
      const error = await parseError(bytes);
      expect(error).toBeInstanceOf(UnprocessableDocumentError);
      expect((error as Error).message).toMatch(/PDF: \S/);
    }
  });

  it("rejects a PDF without extractable text (a scan) with 422", async () => {
    const document = await PDFDocument.create();
    document.addPage([300, 300]).drawRectangle({ x: 20, y: 20, width: 200, height: 100, color: rgb(0.2, 0.2, 0.2) });
    const error = await parseError(await document.save());
    expect(error).toBeInstanceOf(UnprocessableDocumentError);
    expect((error as Error).message).toMatch(/^no extractable text/);
  });
});
