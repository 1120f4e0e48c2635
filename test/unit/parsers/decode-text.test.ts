import { describe, expect, it } from "vitest";
import { UnprocessableDocumentError } from "../../../src/core/errors.js";
import { decodeText } from "../../../src/core/text/decode-text.js";

describe("decodeText", () => {
  it("decodes BOM-marked UTF-16 in both byte orders", () => {
    const little = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("Grüße", "utf16le")]);
    const big = Buffer.from(little).swap16();
    expect(decodeText(new Uint8Array(little))).toBe("Grüße");
    expect(decodeText(new Uint8Array(big))).toBe("Grüße");
  });

  it("drops a UTF-8 BOM, normalises CRLF and CR, and refuses invalid bytes instead of replacing them", () => {
    expect(decodeText(new TextEncoder().encode("\ufeffa\r\nb\rc"))).toBe("a\nb\nc");
    expect(() => decodeText(new Uint8Array([0x61, 0xff, 0x62]))).toThrow(UnprocessableDocumentError);
  });
});
