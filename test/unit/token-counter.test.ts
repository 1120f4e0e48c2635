import { decode, encode } from "gpt-tokenizer/encoding/cl100k_base";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createTokenCounter, encodingPieces } from "../../src/core/text/token-counter.js";

const PLAIN_TEXT = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };
const exact = (text: string) => encode(text, PLAIN_TEXT).length;
const prose = readFileSync(new URL("../fixtures/sample.md", import.meta.url), "utf8");

describe("token counter on long texts", () => {
  it("counts exactly what the tokenizer counts for ordinary text of any length (pieces cut where the tokenizer cuts)", () => {
    const long = `${prose}\n\n`.repeat(Math.ceil(60_000 / prose.length));
    const mixed = `Ünïcode — 東京 🎉 it's  two  spaces\t\ttabs,\n\n  indented: x=1; y=22; z=333\n`.repeat(2_000);
    const counter = createTokenCounter();
    for (const text of [long, mixed, long + mixed]) {
      expect(encodingPieces(text).length).toBeGreaterThan(1);
      expect(encodingPieces(text).join("")).toBe(text);
      expect(counter.count(text)).toBe(exact(text));
    }
  });

  it("cuts a long run without spaces every 256 characters, counting at least what the tokenizer counts", () => {
    const run = "a".repeat(10_000);
    const pieces = encodingPieces(run);
    expect(pieces.join("")).toBe(run);
    expect(Math.max(...pieces.map((piece) => piece.length))).toBe(256);
    const counted = createTokenCounter().count(run);
    expect(counted).toBeGreaterThanOrEqual(exact(run));
    expect(counted).toBeLessThanOrEqual(exact(run) * 1.05);
  });

  it("measures the tail of a long text as the tokenizer would", () => {
    const long = `${prose}\n\n`.repeat(Math.ceil(20_000 / prose.length));
    expect(createTokenCounter().tailLength(long, 40)).toBe(decode(encode(long, PLAIN_TEXT).slice(-40)).length);
  });
});
