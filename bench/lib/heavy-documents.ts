import { seededRandom } from "./seeded-random.js";

/** Synthetic documents of a given size (bytes of UTF-8, all ASCII), the same on every run. */
export type HeavyKind = "html" | "markdown" | "text" | "text-run" | "html-span-run" | "markdown-run";

const WORDS = (
  "the survey team walked along river bank counted herons before rain came down stream buffer drains " +
  "below half consumer slower than network pauses reading file handles release snapshot blocks order memory"
).split(" ");

function sentence(random: () => number): string {
  const length = 8 + Math.floor(random() * 14);
  const words = Array.from({ length }, () => WORDS[Math.floor(random() * WORDS.length)]!);
  return `${words[0]!.charAt(0).toUpperCase()}${words.join(" ").slice(1)}.`;
}

function paragraph(random: () => number): string {
  return Array.from({ length: 3 + Math.floor(random() * 4) }, () => sentence(random)).join(" ");
}

/** Repeats `section(index)` until `bytes` is reached, then cuts to exactly `bytes`. */
function fill(bytes: number, start: string, section: (index: number) => string): string {
  const parts = [start];
  let length = start.length;
  for (let index = 0; length < bytes; index++) {
    const part = section(index);
    parts.push(part);
    length += part.length;
  }
  return parts.join("").slice(0, bytes);
}

/** A document of `kind`, `bytes` long, and the media type the sniffer gives it. */
export function heavyDocument(kind: HeavyKind, bytes: number): { text: string; mediaType: "text/html" | "text/markdown" | "text/plain" } {
  const random = seededRandom(11);
  switch (kind) {
    case "html":
      return {
        mediaType: "text/html",
        text: fill(bytes, "<!DOCTYPE html><html><head><title>Streams</title><style>p{margin:0}</style></head><body>", (index) => {
          const nav = index % 20 === 0 ? `<nav><ul>${'<li><a href="/x">Link to a page</a></li>'.repeat(8)}</ul></nav>` : "";
          return (
            `${nav}<section id="s${index}"><h2>Section ${index}<a class="anchor" href="#s${index}">#</a></h2>` +
            `<p>${paragraph(random)} <a href="/api/${index}">see ${index}</a> <code>read()</code> ${paragraph(random)}</p>` +
            `<ul><li>${sentence(random)}</li><li><em>${sentence(random)}</em></li></ul>` +
            `<table><tr><td>${index}</td><td>${sentence(random)}</td></tr></table>` +
            `<pre><code>const stream = open(${index});\nstream.pause();</code></pre></section>\n`
          );
        }),
      };
    case "markdown":
      return {
        mediaType: "text/markdown",
        text: fill(bytes, "# Streams\n\n", (index) => {
          return (
            `## Section ${index}\n\n${paragraph(random)}\n${paragraph(random)} [see ${index}](/api/${index})\n\n` +
            `- ${sentence(random)}\n- **${sentence(random)}**\n\n| a | b |\n|---|---|\n| ${index} | ${sentence(random)} |\n\n` +
            "```js\nconst stream = open();\nstream.pause();\n```\n\n"
          );
        }),
      };
    case "text":
      return { mediaType: "text/plain", text: fill(bytes, "Streams\n\n", () => `${paragraph(random).replace(/(.{60,72}) /g, "$1\n")}\n\n`) };
    case "text-run":
      return { mediaType: "text/plain", text: "a".repeat(bytes) };
    case "markdown-run":
      return { mediaType: "text/markdown", text: fill(bytes, "# Run\n\n", () => "a") };
    case "html-span-run":
      return { mediaType: "text/html", text: fill(bytes, "<html><body>", () => "<span>x</span>") };
  }
}
