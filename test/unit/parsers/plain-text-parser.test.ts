import { describe, expect, it } from "vitest";
import { UnprocessableDocumentError } from "../../../src/core/errors.js";
import { parsePlainText } from "../../../src/adapters/parser/plain-text-parser.js";

describe("parsePlainText", () => {
  it("decodes UTF-8 and normalises line endings without inventing structure", () => {
    const document = parsePlainText(new TextEncoder().encode("\ufeffFirst line\r\nSecond\rThird # not a heading\n"));
    expect(document).toEqual({
      mediaType: "text/plain",
      text: "First line\nSecond\nThird # not a heading\n",
      title: null,
      pages: [],
      headings: [],
    });
  });

  it("refuses invalid UTF-8 and blank text with 422", () => {
    expect(() => parsePlainText(new Uint8Array([0x61, 0xff, 0x62]))).toThrow(UnprocessableDocumentError);
    expect(() => parsePlainText(new TextEncoder().encode(" \r\n "))).toThrow("empty after parsing");
  });
});
