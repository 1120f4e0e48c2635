import { Parser } from "htmlparser2";
import { describe, expect, it } from "vitest";
import { InnermostFirstStack, useLinearElementStack } from "../../../src/adapters/parser/html-element-stack.js";
import { parseHtml } from "../../../src/adapters/parser/html-parser.js";

const NAMES = ["div", "p", "span", "li", "ul", "b"];

describe("InnermostFirstStack (htmlparser2's open elements without unshift)", () => {
  it("answers length, [0], indexOf, shift and unshift as an innermost-first array does, over random operations", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const array: string[] = [];
    const stack = new InnermostFirstStack();
    for (let step = 0; step < 5_000; step++) {
      const name = NAMES[Math.floor(random() * NAMES.length)]!;
      if (random() < 0.55) expect(stack.unshift(name)).toBe(array.unshift(name));
      else expect(stack.shift()).toBe(array.shift());
      expect(stack.length).toBe(array.length);
      expect(stack[0]).toBe(array[0]);
      for (const probe of [...NAMES, "table"]) expect(stack.indexOf(probe)).toBe(array.indexOf(probe));
    }
    expect(stack.toArray()).toEqual(array);
  });

  it("gives htmlparser2 the same events as its own array on sloppy markup (implied and stray closes, unclosed at the end)", () => {
    const html = "<div><p>one<p>two<ul><li>a<li>b</ul></span><table><tr><td>x</div><b><i>open<p>tail";
    const events = (linear: boolean) => {
      const seen: string[] = [];
      const parser = new Parser({
        onopentag: (name) => seen.push(`<${name}>`),
        onclosetag: (name, implied) => seen.push(`</${name}${implied ? "?" : ""}>`),
        ontext: (text) => seen.push(text),
      });
      const restore = linear ? useLinearElementStack(parser) : () => undefined;
      parser.write(html);
      restore();
      parser.end();
      return seen;
    };
    expect(events(true)).toEqual(events(false));
  });

  it("parses deeply nested markup to its text", () => {
    expect(parseHtml(new TextEncoder().encode(`<html><body>${"<div>".repeat(50_000)}deep text`)).text).toBe("deep text");
  });
});
