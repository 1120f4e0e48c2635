/**
 * Parsing and chunking stay linear in the input: time to parse + chunk (token counting included, the
 * work of one parse thread, here on the bench's own thread) 800 kB and 8 MB of HTML, Markdown, plain
 * text and runs without whitespace; the 8 MB / 800 kB ratio should be about 10. Also the sentence
 * splitter and text blocks (query time) on the text documents. Then the real service (embedded mode,
 * `npm start`) ingests an 8.4 MB HTML page (the Node.js API reference `all.html` when installed, else
 * a synthetic page) while /healthz is probed every 50 ms: prints the worst probe and the event-loop
 * delay the service reports.
 * Usage: npm run bench:parse [-- --page /usr/share/doc/nodejs/api/all.html] [-- --skip-service]
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createInProcessDocumentChunker } from "../src/adapters/document-chunker/in-process/in-process-document-chunker.js";
import { parseHtml } from "../src/adapters/parser/html-parser.js";
import { splitSentences } from "../src/core/text/sentence-splitter.js";
import { findTextBlocks } from "../src/core/text/text-blocks.js";
import { sniffMediaType } from "../src/core/text/sniff-media-type.js";
import { heavyDocument, type HeavyKind } from "./lib/heavy-documents.js";
import { metricValue, startBenchService } from "./lib/bench-service.js";

const { values } = parseArgs({
  options: { page: { type: "string", default: "/usr/share/doc/nodejs/api/all.html" }, "skip-service": { type: "boolean", default: false } },
});
const SMALL = 800_000;
const LARGE = 8_000_000;
const KINDS: HeavyKind[] = ["html", "markdown", "text", "text-run", "markdown-run", "html-span-run"];
const chunking = { size: 400, overlap: 40 };
// A fresh chunker per run: the token counter memoises pieces, and a second run of one document would hit it.
const chunk = (bytes: Buffer, mediaType: "text/html" | "text/markdown" | "text/plain") =>
  createInProcessDocumentChunker().chunk({ bytes, mediaType, chunking });

/** Best of two runs, so a garbage collection or a neighbour's burst does not make the figure. */
async function timeMs(run: () => Promise<unknown> | unknown): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 2; round++) {
    const started = performance.now();
    await run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

console.log("parse + chunk (in one thread), default chunking 400/40 tokens");
console.log(`${"document".padEnd(22)} ${"800 kB ms".padStart(10)} ${"8 MB ms".padStart(10)} ${"ratio".padStart(6)} ${"chunks (8 MB)".padStart(14)}`);
// Warm-up: module loading and tokenizer tables are not part of any figure.
await chunk(Buffer.from(heavyDocument("html", 50_000).text), "text/html");
for (const kind of KINDS) {
  const small = heavyDocument(kind, SMALL);
  const large = heavyDocument(kind, LARGE);
  const [smallBytes, largeBytes] = [Buffer.from(small.text), Buffer.from(large.text)];
  const smallMs = await timeMs(() => chunk(smallBytes, small.mediaType));
  let chunks = 0;
  const largeMs = await timeMs(async () => {
    chunks = (await chunk(largeBytes, large.mediaType)).chunks.length;
  });
  console.log(
    `${`${kind} (${small.mediaType})`.padEnd(22)} ${smallMs.toFixed(0).padStart(10)} ${largeMs.toFixed(0).padStart(10)} ${(largeMs / smallMs).toFixed(1).padStart(6)} ${String(chunks).padStart(14)}`,
  );
}
for (const kind of ["text", "text-run"] as const) {
  const [small, large] = [heavyDocument(kind, SMALL).text, heavyDocument(kind, LARGE).text];
  const smallMs = await timeMs(() => splitSentences(small));
  const largeMs = await timeMs(() => splitSentences(large));
  console.log(
    `${`sentences (${kind})`.padEnd(22)} ${smallMs.toFixed(0).padStart(10)} ${largeMs.toFixed(0).padStart(10)} ${(largeMs / smallMs).toFixed(1).padStart(6)}`,
  );
}
for (const kind of ["html", "markdown-run"] as const) {
  const [small, large] = [Buffer.from(heavyDocument(kind, SMALL).text), Buffer.from(heavyDocument(kind, LARGE).text)];
  const smallMs = await timeMs(() => sniffMediaType(small));
  const largeMs = await timeMs(() => sniffMediaType(large));
  console.log(
    `${`sniff (${kind})`.padEnd(22)} ${smallMs.toFixed(0).padStart(10)} ${largeMs.toFixed(0).padStart(10)} ${(largeMs / smallMs).toFixed(1).padStart(6)}`,
  );
}

// Adversarial inputs for the query-time text functions and the HTML parser's tree (100 kB vs 400 kB, nested <div>: 100k vs 400k elements; linear is 4).
const ADVERSARIAL: Array<[string, (length: number) => unknown]> = [
  ["text blocks, dot run", (length) => findTextBlocks(".".repeat(length))],
  ["text blocks, '[a](' run", (length) => findTextBlocks("[a](".repeat(length / 4))],
  ["sentences, 'Mr. ' run", (length) => splitSentences("Mr. ".repeat(length / 4))],
  ["sentences, one 'Ab cd.' block", (length) => splitSentences("Ab cd. ".repeat(length / 7))],
  ["html, nested <div>", (length) => parseHtml(Buffer.from(`<html><body>${"<div>".repeat(length)}x`))],
];
console.log(`\n${"adversarial input".padEnd(26)} ${"100 kB ms".padStart(10)} ${"400 kB ms".padStart(10)} ${"ratio".padStart(6)}`);
for (const [name, run] of ADVERSARIAL) {
  const smallMs = await timeMs(() => run(100_000));
  const largeMs = await timeMs(() => run(400_000));
  console.log(`${name.padEnd(26)} ${smallMs.toFixed(0).padStart(10)} ${largeMs.toFixed(0).padStart(10)} ${(largeMs / smallMs).toFixed(1).padStart(6)}`);
}

if (!values["skip-service"]) {
  const page = existsSync(values.page)
    ? { name: values.page, bytes: await readFile(values.page) }
    : { name: "synthetic HTML page, 8.4 MB", bytes: Buffer.from(heavyDocument("html", 8_400_000).text) };
  const running = await startBenchService();
  const url = running.service.url;
  try {
    let worstMs = 0;
    let probes = 0;
    let failedProbes = 0;
    let settled = false;
    const probing = (async () => {
      while (!settled) {
        const started = performance.now();
        // A keep-alive socket the server closes as it is reused resets; that probe is counted, not fatal.
        const ok = await fetch(`${url}/healthz`).then(
          (response) => response.ok,
          () => false,
        );
        worstMs = Math.max(worstMs, performance.now() - started);
        probes += 1;
        if (!ok) failedProbes += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const started = performance.now();
    const form = new FormData();
    form.append("file", new Blob([page.bytes]), "all.html");
    const upload = await fetch(`${url}/v1/documents`, { method: "POST", body: form });
    const { documents } = (await upload.json()) as { documents: Array<{ status_url: string }> };
    let state: { status: string; error?: string | null; chunk_count?: number } = { status: "queued" };
    let worstLagSeconds = 0;
    while (state.status !== "indexed" && state.status !== "failed") {
      await new Promise((resolve) => setTimeout(resolve, 250));
      worstLagSeconds = Math.max(worstLagSeconds, await metricValue(url, "ragline_nodejs_eventloop_lag_max_seconds"));
      state = (await (await fetch(`${url}${documents[0]!.status_url}`)).json()) as typeof state;
    }
    settled = true;
    await probing;
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `\nservice: ${page.name} (${(page.bytes.length / 1e6).toFixed(1)} MB) ${state.status} in ${seconds.toFixed(1)} s${state.error ? ` (${state.error})` : ""}`,
    );
    console.log(
      `  /healthz worst ${worstMs.toFixed(0)} ms over ${probes} probes (${failedProbes} failed); event-loop delay max ${(worstLagSeconds * 1000).toFixed(0)} ms`,
    );
  } finally {
    await running.stop();
  }
}
