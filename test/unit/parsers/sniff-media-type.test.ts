import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { UnprocessableDocumentError, UnsupportedMediaTypeError } from "../../../src/core/errors.js";
import { sniffMediaType } from "../../../src/core/text/sniff-media-type.js";

const fixture = (name: string) => readFile(new URL(`../../fixtures/${name}`, import.meta.url));
const utf8 = (text: string) => new TextEncoder().encode(text);

const PNG_HEADER = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
  0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89,
]);
const ELF_HEADER = new Uint8Array([
  0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x3e, 0x00, 0x01, 0x00, 0x00, 0x00, 0x40, 0x10,
  0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
]);
// Local file header of a zip holding one stored file "a.txt" containing "hi".
const ZIP_ARCHIVE = new Uint8Array([
  0x50, 0x4b, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21, 0x00, 0x3a, 0x6f, 0x5c, 0x0e, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
  0x05, 0x00, 0x00, 0x00, 0x61, 0x2e, 0x74, 0x78, 0x74, 0x68, 0x69,
]);

async function sniffError(bytes: Uint8Array, fileName?: string): Promise<unknown> {
  return sniffMediaType(bytes, fileName).then(
    (type) => new Error(`expected a rejection, got ${type}`),
    (error: unknown) => error,
  );
}

describe("sniffMediaType", () => {
  it("recognises every supported type from the fixtures", async () => {
    expect(await sniffMediaType(await fixture("sample.pdf"))).toBe("application/pdf");
    expect(await sniffMediaType(await fixture("sample.html"))).toBe("text/html");
    expect(await sniffMediaType(await fixture("sample.md"))).toBe("text/markdown");
    expect(await sniffMediaType(utf8("Just a note.\nNothing special here, only two lines."))).toBe("text/plain");
  });

  it("trusts the bytes over the name", async () => {
    expect(await sniffMediaType(await fixture("sample.html"), "page.md")).toBe("text/html");
    expect(await sniffMediaType(await fixture("sample.pdf"), "notes.txt")).toBe("application/pdf");
    expect(await sniffMediaType(await fixture("sample.md"), "notes.txt")).toBe("text/markdown");
    const png = await sniffError(PNG_HEADER, "innocent.txt");
    expect(png).toBeInstanceOf(UnsupportedMediaTypeError);
  });

  it("uses a .md name only to break a tie between plain text and Markdown", async () => {
    const ambiguous = utf8("Shopping list\n- apples\n- pears\n");
    expect(await sniffMediaType(ambiguous)).toBe("text/plain");
    expect(await sniffMediaType(ambiguous, "list.md")).toBe("text/markdown");
    expect(await sniffMediaType(ambiguous, "list.MARKDOWN")).toBe("text/markdown");
  });

  it.each([
    ["PNG", PNG_HEADER, "image/png"],
    ["ELF", ELF_HEADER, "application/x-elf"],
    ["zip", ZIP_ARCHIVE, "application/zip"],
  ])("refuses a %s file with 415, naming the detected type", async (_label, bytes, mime) => {
    const error = await sniffError(bytes);
    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    expect((error as UnsupportedMediaTypeError).status).toBe(415);
    expect((error as Error).message).toContain(mime);
  });

  it("refuses undetected binary content and invalid UTF-8", async () => {
    const noise = new Uint8Array(256).map((_, index) => (index * 37) % 256);
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6e, 0x6f, 0x69, 0x72]);
    for (const bytes of [noise, latin1, utf8("text with a \u0000 NUL byte")]) {
      const error = await sniffError(bytes);
      expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
      expect((error as Error).message).toMatch(/binary content/);
    }
  });

  it("refuses recognised text formats that are not documents", async () => {
    const error = await sniffError(utf8("{\\rtf1\\ansi Hello}"));
    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    expect((error as Error).message).toContain("application/rtf");
    const svg = await sniffError(utf8('<svg xmlns="http://www.w3.org/2000/svg"><title>Logo</title></svg>'));
    expect(svg).toBeInstanceOf(UnsupportedMediaTypeError);
    expect((svg as Error).message).toContain("image/svg+xml");
  });

  it("does not mistake prose that starts like a magic number for a binary", async () => {
    expect(await sniffMediaType(utf8("BMW opened a new plant in Debrecen."))).toBe("text/plain");
    expect(await sniffMediaType(utf8("MZ is the code of the Mazowieckie region."))).toBe("text/plain");
  });

  it("accepts a UTF-8 BOM and BOM-marked UTF-16", async () => {
    expect(await sniffMediaType(utf8("\ufeff# Title\n\nBody text."))).toBe("text/markdown");
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("<!doctype html><p>Hello</p>", "utf16le")]);
    expect(await sniffMediaType(new Uint8Array(utf16))).toBe("text/html");
  });

  it("detects HTML after comments, an XML declaration or as a clear fragment", async () => {
    expect(await sniffMediaType(utf8("  <!-- generated -->\n<HTML><body>Hi</body></HTML>"))).toBe("text/html");
    const xhtml = '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>';
    expect(await sniffMediaType(utf8(xhtml))).toBe("text/html");
    expect(await sniffMediaType(utf8("<div><h2>News</h2><p>One</p><p>Two</p></div>"))).toBe("text/html");
    expect(await sniffMediaType(utf8('<p align="center"><img src="logo.png"></p>\n\n# Project\n\nText.'))).toBe("text/markdown");
  });

  it.each([
    ["fenced code", "Intro\n\n```js\nconst x = 1;\n```\n"],
    ["a link", "See [the docs](https://example.com/docs) for more."],
    ["a setext heading", "Overview\n========\n\nSome text."],
  ])("detects Markdown by %s", async (_label, text) => {
    expect(await sniffMediaType(utf8(text))).toBe("text/markdown");
  });

  it("rejects empty and whitespace-only input with 422", async () => {
    for (const bytes of [new Uint8Array(0), utf8(" \n\t\n")]) {
      const error = await sniffError(bytes);
      expect(error).toBeInstanceOf(UnprocessableDocumentError);
      expect((error as Error).message).toBe("empty document");
    }
  });
});
