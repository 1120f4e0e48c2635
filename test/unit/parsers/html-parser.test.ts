import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { UnprocessableDocumentError } from "../../../src/core/errors.js";
import { parseHtml } from "../../../src/adapters/parser/html-parser.js";

const utf8 = (text: string) => new TextEncoder().encode(text);

describe("parseHtml", () => {
  it("keeps visible text and drops scripts, styles, comments, head metadata and hidden elements", async () => {
    const document = parseHtml(await readFile(new URL("../../fixtures/sample.html", import.meta.url)));
    expect(document.mediaType).toBe("text/html");
    expect(document.title).toBe("Ragline Almanac of Odd Facts");
    expect(document.text).toContain("Ottilie Brandt in 1903.");
    expect(document.text).toContain("Salt Roads & Caravans");
    for (const hidden of ["trackingMarker", "late script marker", "font-family", "footer comment", "enable JavaScript", "charset"]) {
      expect(document.text).not.toContain(hidden);
    }
    expect(document.text).not.toMatch(/[<>]/);
    expect(document.pages).toEqual([]);
  });

  it("records h1-h6 at their offsets in the extracted text", async () => {
    const document = parseHtml(await readFile(new URL("../../fixtures/sample.html", import.meta.url)));
    expect(document.headings.map((heading) => [heading.level, heading.title])).toEqual([
      [1, "Ragline Almanac of Odd Facts"],
      [2, "The Copper Orchard"],
      [2, "Tides of Lake Vuoksa"],
      [2, "Salt Roads & Caravans"],
    ]);
    for (const heading of document.headings) expect(document.text.slice(heading.start).startsWith(heading.title)).toBe(true);
  });

  it("separates blocks, collapses inline whitespace and decodes entities", () => {
    const html =
      "<body><p>One   two\n  three</p><p>Four</p><div>Five<br>Six</div><ul><li>a &amp; b</li><li>c&nbsp;d</li></ul>" +
      "<table><tr><td>x</td><td>y</td></tr><tr><td>z</td><td>w</td></tr></table><p>Seven <em>eight</em>nine</p></body>";
    const { text } = parseHtml(utf8(html));
    expect(text).toBe("One two three\n\nFour\n\nFive\nSix\n\na & b\nc d\n\nx | y\nz | w\n\nSeven eightnine");
  });

  it("keeps preformatted text as written", () => {
    const { text } = parseHtml(utf8("<p>Code:</p><pre>line 1\n    indented</pre><p>after</p>"));
    expect(text).toBe("Code:\n\nline 1\n    indented\n\nafter");
  });

  it("drops template, svg, noscript and hidden content but not the text around them", () => {
    const html =
      "<h2>Kept <svg><title>icon</title><text>svg text</text></svg>heading</h2><template><p>tpl</p></template>" +
      '<p hidden>secret</p><span aria-hidden="true">decor</span><p>visible</p>';
    const document = parseHtml(utf8(html));
    expect(document.text).toBe("Kept heading\n\nvisible");
    expect(document.headings).toEqual([{ level: 2, title: "Kept heading", start: 0 }]);
    expect(document.title).toBeNull();
  });

  it("falls back to the first h1 when there is no <title>", () => {
    expect(parseHtml(utf8("<h1>Main  topic</h1><p>text</p>")).title).toBe("Main topic");
  });

  it("rejects a page without visible text with 422", () => {
    const blank = utf8("<html><head><title>Only a title</title><script>var a = 1;</script></head><body> &nbsp; </body></html>");
    expect(() => parseHtml(blank)).toThrow(UnprocessableDocumentError);
    expect(() => parseHtml(blank)).toThrow("empty after parsing");
  });

  it("drops page furniture of a docs page: site header, sidebar, link lists, breadcrumbs, aside and site footer", async () => {
    const document = parseHtml(await readFile(new URL("../../fixtures/docs-page.html", import.meta.url)));
    expect(document.title).toBe("Streams | Quarrel Docs");
    expect(document.text).toBe(
      "Streams\n\nA stream delivers snapshot blocks in order and never holds more than 64 blocks in memory.\n\n" +
        "Backpressure\n\nWhen the consumer is slower than the network, the stream pauses reading until its buffer drains below half.\n\n" +
        "Closing a stream\n\nCall close() to release the file handles; see file handles for details.\n\n" +
        // An article's own footer and a list whose items have words besides their links are content.
        "Last reviewed in March 2024.\n\nThe sockets page explains network transfers.\nThe files page explains file handles.",
    );
    for (const furniture of ["Search the docs", "Guides", "Installing Quarrel", "Privacy", "helpful", "Docs ›", "© 2024"])
      expect(document.text).not.toContain(furniture);
  });

  it("keeps headings free of permalink anchors and at their offsets", async () => {
    const document = parseHtml(await readFile(new URL("../../fixtures/docs-page.html", import.meta.url)));
    expect(document.headings.map((heading) => [heading.level, heading.title])).toEqual([
      [1, "Streams"],
      [2, "Backpressure"],
      [2, "Closing a stream"],
    ]);
    for (const heading of document.headings) expect(document.text.slice(heading.start).startsWith(heading.title)).toBe(true);
    expect(parseHtml(utf8('<h2>Install <a href="#install">§</a></h2><p>Run the installer.</p>')).headings[0]!.title).toBe("Install");
  });

  it("drops ARIA landmarks and link-only blocks but keeps a header inside an article and a lone link", () => {
    const html =
      '<div role="banner">Site banner</div><div role="complementary">Related</div><article><header><h1>Kept title</h1></header>' +
      '<p>See <a href="/a">one link</a>.</p><p><a href="/x">Only link</a></p><ol><li><a href="/1">One</a></li><li><a href="/2">Two</a></li></ol>' +
      '<p><a href="/p">Prev</a> | <a href="/n">Next</a></p></article><div role="contentinfo">Contact</div>';
    const document = parseHtml(utf8(html));
    expect(document.text).toBe("Kept title\n\nSee one link.\n\nOnly link");
    expect(document.title).toBe("Kept title");
  });

  it("keeps every paragraph and its spacing on a page of 200,000 text nodes", () => {
    const html = `<body>${"<p>word <em>emphasis</em> and <a href='/x'>link</a> text.</p>".repeat(50_000)}</body>`;
    const document = parseHtml(utf8(html));
    expect(document.text.split("\n\n")).toHaveLength(50_000);
    expect(document.text.startsWith("word emphasis and link text.\n\nword")).toBe(true);
  });
});
