import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { answerExtractively } from "../../src/core/answer/extractive-answerer.js";
import type { Passage } from "../../src/core/answer/passages.js";
import { splitIntoChunks } from "../../src/core/text/split-into-chunks.js";
import { createTokenCounter } from "../../src/core/text/token-counter.js";
import { parseHtml } from "../../src/adapters/parser/html-parser.js";
import { parseMarkdown } from "../../src/adapters/parser/markdown-parser.js";
import { parsePdf } from "../../src/adapters/parser/pdf-parser.js";
import { parsePlainText } from "../../src/adapters/parser/plain-text-parser.js";
import type { ParsedDocument } from "../../src/ports/parser.js";

const tokens = createTokenCounter();
const fixture = (path: string) => readFile(new URL(`../fixtures/${path}`, import.meta.url));

/** Chunks of a parsed document as retrieved passages, small enough that a document spans several. */
async function passagesOf(document: ParsedDocument, name: string): Promise<Passage[]> {
  const chunks = await splitIntoChunks(document, { size: 80, overlap: 10 }, tokens);
  return chunks.map((chunk) => ({
    id: `${name}-${chunk.index}`,
    text: chunk.text,
    metadata: { documentId: name, title: name, source: name, page: chunk.page, contentHash: "hash" },
    scores: { fused: 0.5 },
  }));
}

/** Lines an answer must never quote: headings, code, contents and navigation lines of the fixtures. */
const NEVER_QUOTED = [
  "Quarrel Sync Manual",
  "Retention of snapshots",
  "[Installation](#installation)",
  "[Home](https://quarrel.example/)",
  "curl -fsSL",
  "quarrel init --home",
  "retention: 45d",
  'sweep: "02:30"',
  "QUARREL(1)",
  "SYNOPSIS",
  "quarrel [OPTION]",
  "quarrel --level=9",
  "Introduction ....",
  "Exit status ....",
  "def rotate",
  "This comment is code",
  "Glassblowing Studio",
  "Beekeeping on Svalbard",
  "The Copper Orchard",
  "Tides of Lake Vuoksa",
];

async function answer(passages: Passage[], question: string) {
  const result = answerExtractively({ question, hits: passages });
  for (const citation of result.citations) {
    const cited = passages[citation.hitIndex]!;
    expect(cited.text.slice(citation.start, citation.end)).toBe(citation.snippet);
    for (const line of NEVER_QUOTED) expect(citation.snippet, `quoted "${line}" for "${question}"`).not.toContain(line);
  }
  return result;
}

describe("extractive answers on real documents", () => {
  it("answers from the prose of a Markdown manual, never from its headings, code, contents or navigation", async () => {
    const passages = await passagesOf(parseMarkdown(await fixture("answers/tool-manual.md")), "manual");
    expect((await answer(passages, "How long is the retention period of snapshots by default?")).answer).toContain("defaults to 45 days");
    expect((await answer(passages, "When does the nightly sweep start?")).answer).toContain("half past two");
    expect((await answer(passages, "Where does the installer put the binary?")).answer).toContain(
      "The installer places a single binary in /usr/local/bin and writes its configuration to Quarrel's home directory",
    );
    for (const question of [
      "How do I install Quarrel Sync?",
      "What are the contents of the manual?",
      "retention sweep configuration",
      "home download changelog",
    ]) {
      await answer(passages, question);
    }
  });

  it("answers from a man page's description and options, never from its synopsis, examples or contents", async () => {
    const passages = await passagesOf(parsePlainText(await fixture("answers/quarrel-manpage.txt")), "manpage");
    expect((await answer(passages, "Which compression do transfers use?")).answer).toContain(
      "Transfers are compressed with Zstandard at level 3 unless the --level option names another level.",
    );
    expect((await answer(passages, "Which option shows what would be copied without copying?")).answer).toContain("-n, --dry-run show what would be copied");
    for (const question of ["quarrel synopsis", "How do I copy home snapshots to a backup host?", "exit status introduction options"])
      await answer(passages, question);
  });

  it("answers from the test fixtures (Markdown, HTML, PDF) without quoting headings or code", async () => {
    const markdown = await passagesOf(parseMarkdown(await fixture("sample.md")), "sample-md");
    expect((await answer(markdown, "How much did the 2019 honey harvest weigh?")).answer).toContain("11.4 kilograms");
    expect((await answer(markdown, "How does the Quillon cipher rotate letters?")).answer).toContain("rotates every letter by the day of the month");
    expect((await answer(markdown, "At what temperature does the glassblowing studio fire its furnace?")).answer).toContain("1,090 degrees Celsius");
    const html = await passagesOf(parseHtml(await fixture("sample.html")), "sample-html");
    expect((await answer(html, "Who planted the copper orchard?")).answer).toContain("Ottilie Brandt in 1903");
    expect((await answer(html, "How large is the tide of Lake Vuoksa?")).answer).toContain("3 centimetres every 12.4 hours");
    const pdf = await passagesOf(await parsePdf(await fixture("sample.pdf")), "sample-pdf");
    const pdfAnswer = await answer(pdf, pdf[0]!.text.split(/\s+/).slice(0, 6).join(" "));
    expect(pdfAnswer.answer).not.toBeNull();
  });
});
