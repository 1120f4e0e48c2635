import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findTextBlocks } from "../../src/core/text/text-blocks.js";
import { splitSentences } from "../../src/core/text/sentence-splitter.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/answers/${name}`, import.meta.url), "utf8");
const blocks = (text: string) => findTextBlocks(text).map((block) => [block.kind, text.slice(block.start, block.end)]);

describe("findTextBlocks", () => {
  it("classifies Markdown structure: headings, navigation, contents, code fences, indented code, list items", () => {
    const kinds = blocks(fixture("tool-manual.md"));
    expect(kinds.filter(([kind]) => kind === "heading").map(([, text]) => text)).toEqual([
      "# Quarrel Sync Manual",
      "## Contents",
      "## Installation",
      "## Configuration",
      "### Retention of snapshots",
      "## Troubleshooting",
    ]);
    expect(kinds.filter(([kind]) => kind === "contents")).toHaveLength(4);
    expect(kinds.filter(([kind]) => kind === "navigation").map(([, text]) => text)).toEqual([expect.stringContaining("[Home]")]);
    expect(kinds.filter(([kind]) => kind === "code").map(([, text]) => text)).toEqual([
      expect.stringContaining("curl -fsSL"),
      '    retention: 45d\n    sweep: "02:30"',
    ]);
    expect(kinds.filter(([kind]) => kind === "list-item").map(([, text]) => text)).toEqual([
      "1. Stop the daemon",
      "2. Remove the lock file",
      "3. Start the daemon again",
    ]);
  });

  it("classifies a man page: section names, synopsis, indented example, contents with dot leaders, option definitions", () => {
    const kinds = blocks(fixture("quarrel-manpage.txt"));
    for (const name of ["NAME", "SYNOPSIS", "DESCRIPTION", "EXAMPLES", "SEE ALSO", "CONTENTS"]) expect(kinds).toContainEqual(["heading", name]);
    expect(kinds).toContainEqual(["code", "           quarrel --level=9 ~/.quarrel backup:/srv/quarrel"]);
    expect(kinds).toContainEqual(["code", "       quarrel [OPTION]... SOURCE DESTINATION"]);
    const contents = kinds.filter(([kind]) => kind === "contents").map(([, text]) => text);
    for (const entry of ["1 Introduction", "2 Options", "3 Exit status"]) expect(contents.some((text) => text!.includes(entry))).toBe(true);
    expect(kinds).toContainEqual(["list-item", "       -n, --dry-run\n              show what would be copied without copying anything"]);
  });

  it("joins a hard-wrapped paragraph, even across a capitalised line start, into one block", () => {
    const text = fixture("tool-manual.md");
    const sentence = splitSentences(text).find((candidate) => candidate.text.startsWith("The\ninstaller"))!;
    expect(sentence.text.replace(/\s+/g, " ")).toBe(
      "The installer places a single binary in /usr/local/bin and writes its configuration to Quarrel's home directory, which defaults to ~/.quarrel unless QUARREL_HOME names another directory.",
    );
    expect(text.slice(sentence.start, sentence.end)).toBe(sentence.text);
    const manual = fixture("quarrel-manpage.txt");
    expect(splitSentences(manual).map((candidate) => candidate.text.replace(/\s+/g, " "))).toContain(
      "Transfers are compressed with Zstandard at level 3 unless the --level option names another level.",
    );
  });

  it("keeps short lines, lists and lines under a title apart: a column of short lines is not a wrapped paragraph", () => {
    expect(blocks("Harvest festival: the second Sunday of October\nBest cider year: 1958\n\nNext")).toEqual([
      ["prose", "Harvest festival: the second Sunday of October"],
      ["prose", "Best cider year: 1958"],
      ["prose", "Next"],
    ]);
    expect(blocks("Intro\n\nA paragraph that ends here.").map(([kind]) => kind)).toEqual(["heading", "prose"]);
    // A lone line is the whole text, not a title over nothing.
    expect(blocks("Some text without a final period")).toEqual([["prose", "Some text without a final period"]]);
    expect(blocks("Home › Docs › API reference\n\nBody text.")[0]![0]).toBe("navigation");
    expect(blocks("1.2 Installation 14\n1.3 Usage 17")).toEqual([
      ["contents", "1.2 Installation 14"],
      ["contents", "1.3 Usage 17"],
    ]);
  });

  it("reads a bare fence that never closes as the end of code begun before the chunk, or as an opener when code follows", () => {
    expect(blocks("    return x;\n```\n\nThe studio fires its furnace.")).toEqual([
      ["code", "    return x;\n```"],
      ["prose", "The studio fires its furnace."],
    ]);
    expect(blocks("```\n\nGlassblowing\n\nThe studio fires its furnace.").map(([kind]) => kind)).toEqual(["code", "heading", "prose"]);
    expect(blocks("Run this:\n\n```\nconst x = 1;")).toEqual([
      ["prose", "Run this:"],
      ["code", "```\nconst x = 1;"],
    ]);
  });

  it("covers the text in order without overlaps, every block starting and ending on a line", () => {
    for (const text of [fixture("tool-manual.md"), fixture("quarrel-manpage.txt"), "a\r\nb\r\n\r\n```\nx\n", ""]) {
      let previousEnd = 0;
      for (const block of findTextBlocks(text)) {
        expect(block.start).toBeGreaterThanOrEqual(previousEnd);
        expect(block.end).toBeGreaterThan(block.start);
        expect(block.start === 0 || /[\r\n]/.test(text.charAt(block.start - 1))).toBe(true);
        previousEnd = block.end;
      }
    }
  });

  it("reads dot leaders before a page number in every form, and only there (scanned from the line's end)", () => {
    const kindOf = (line: string) => findTextBlocks(`Intro paragraph that ends here.\n\n${line}\n\nClosing paragraph that ends here.`)[1]!.kind;
    expect(kindOf("Streams ........ 14")).toBe("contents");
    expect(kindOf("Streams …… 14")).toBe("contents");
    expect(kindOf("Streams . . . . 14  ")).toBe("contents");
    expect(kindOf("Streams ...14")).toBe("contents");
    expect(kindOf("Streams .. 14")).not.toBe("contents");
    expect(kindOf("Streams ........ page")).not.toBe("contents");
    expect(kindOf(`${".".repeat(5_000)} x`)).not.toBe("contents");
    expect(kindOf(`${". ".repeat(5_000)}7`)).toBe("contents");
  });

  it("reads a line of Markdown links as navigation, and an unclosed run of link openers as text", () => {
    const kindOf = (line: string) => findTextBlocks(`Intro paragraph that ends here.\n\n${line}\n\nClosing paragraph that ends here.`)[1]!.kind;
    expect(kindOf("[Home](/) | [Docs](/docs) | [API](/api)")).toBe("navigation");
    expect(kindOf("[a](".repeat(5_000))).not.toBe("navigation");
  });
});
